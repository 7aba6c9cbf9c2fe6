"""One OBProxy from Python, through the obproxy provider plugin (type obproxy:index:ObProxy).

`ObProxy` below is a hand-written resource class: with a current CLI, `pulumi package add
./node_modules/pulumi-obproxy/bin/pulumi-resource-obproxy` generates a typed SDK instead.
"""
import pulumi

# Outputs the plugin returns; listed so the resource object gets an attribute for each.
OUTPUTS = ["agentAddress", "agentVersion", "agentIdentity", "managed", "adopted", "lastDag"]
SECRETS = ["agentPassword", "proxyroPassword", "obproxySysPassword", "tls"]


class ObProxy(pulumi.CustomResource):
    """An OBProxy managed through the obshell agent at `endpoint` (see docs/plugin.md for every input)."""

    def __init__(self, name: str, props: dict, opts: pulumi.ResourceOptions | None = None):
        props = {**{key: None for key in OUTPUTS}, **props}
        opts = pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(additional_secret_outputs=SECRETS))
        super().__init__("obproxy:index:ObProxy", name, props, opts)


config = pulumi.Config()
proxy = ObProxy(
    "proxy",
    {
        "endpoint": config.require("endpoint"),
        "homePath": config.require("homePath"),
        "rsList": config.require("rsList"),
        "sqlPort": config.get_int("sqlPort") or 2883,
        "proxyroPassword": config.require_secret("proxyroPassword"),
    },
    # Sent to the plugin with each Create/Update/Delete; they win over the `timeouts` input.
    pulumi.ResourceOptions(custom_timeouts=pulumi.CustomTimeouts(create="20m", update="40m", delete="15m")),
)

pulumi.export("agentAddress", proxy.agentAddress)
pulumi.export("lastDag", proxy.lastDag)
