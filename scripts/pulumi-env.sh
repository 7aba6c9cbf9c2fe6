# Source me (bash): `. scripts/pulumi-env.sh <work dir>` — sets up this shell to run the Pulumi CLI that
# scripts/build-pulumi-cli.sh builds, for one work directory, without ever reaching for the network or the user's
# own Pulumi setup:
#   PATH          <repo>/.pulumi-bin first (pulumi + its bundled plugins), then <repo>/node_modules/.bin (Node 24)
#   PULUMI_HOME   <work dir>/.pulumi-home (credentials, logs, plugin cache; also disables agent-mode fallbacks)
#   secrets       passphrase provider with a fixed test passphrase
#   no update check, no plugin downloads, no OS keyring, no Automation API version check
# and unsets the variables that switch the CLI into "agent mode" (AI_AGENT, CLAUDECODE, CODEX_*, CURSOR_*, ...).
# Log in only with a file:// URL, e.g. `pulumi login "file://$1/state"`; never a bare `pulumi login`.
# test/e2e/helpers/pulumi-cli.ts builds the same environment for the TypeScript tests.

if [ -z "${1:-}" ]; then
  echo "usage: . scripts/pulumi-env.sh <work dir>" >&2
  return 2 2>/dev/null || exit 2
fi

__pulumi_env_repo="$(cd "$(dirname "${BASH_SOURCE[0]:-$0}")/.." && pwd)"
__pulumi_env_work="$(mkdir -p "$1" && cd "$1" && pwd)"

export PATH="$__pulumi_env_repo/.pulumi-bin:$__pulumi_env_repo/node_modules/.bin:$PATH"
export PULUMI_HOME="$__pulumi_env_work/.pulumi-home"
export PULUMI_CONFIG_PASSPHRASE="pulumi-obproxy-tests"
export PULUMI_SKIP_UPDATE_CHECK=true
export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true
export PULUMI_IGNORE_AMBIENT_PLUGINS=true
export PULUMI_CREDENTIAL_STORE=plaintext
export PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK=true

# Agent-mode switches (sdk/go/common/util/agentdetect): in agent mode a bare login may try to sign up on Pulumi Cloud.
for __pulumi_env_var in $(env | sed -n 's/^\(AI_AGENT\|CLAUDECODE\|CLAUDE_CODE[A-Za-z0-9_]*\|CODEX_[A-Za-z0-9_]*\|CURSOR_[A-Za-z0-9_]*\|GEMINI_CLI\)=.*/\1/p'); do
  unset "$__pulumi_env_var"
done
unset __pulumi_env_repo __pulumi_env_work __pulumi_env_var
