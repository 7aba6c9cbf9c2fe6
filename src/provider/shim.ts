/**
 * The provider object handed to `pulumi.dynamic.Resource`, which serializes it into state as `__provider`.
 *
 * Why it looks like this: destroy, refresh and the delete half of a replacement run the code stored in state, not
 * the program's. So the stored code must be tiny and stable, and find the real implementation at call time: each
 * method only `require`s the package's versioned internal entry point, resolved from the project's node_modules by
 * the plugin process. A free `require` is never captured by Pulumi's closure serializer, so nothing of this module,
 * no client and no credential, ends up in state. A relative `require("./lifecycle")` would be serialized by value
 * (freezing today's code in state), hence the package name even here.
 *
 * Keep it a plain object literal with no captured variables; changing this text updates every resource once.
 */
import type * as pulumi from "@pulumi/pulumi";

/**
 * The serialized provider: every method delegates to `pulumi-obproxy/provider-v1` at call time. The seven methods
 * repeat on purpose: a shared helper would be a captured variable, serialized into every resource's state.
 */
export const shimProvider: pulumi.dynamic.ResourceProvider = {
  async configure(req) {
    return require("pulumi-obproxy/provider-v1").configure(req);
  },
  async check(olds, news) {
    return require("pulumi-obproxy/provider-v1").check(olds, news);
  },
  async diff(id, olds, news) {
    return require("pulumi-obproxy/provider-v1").diff(id, olds, news);
  },
  async create(inputs) {
    return require("pulumi-obproxy/provider-v1").create(inputs);
  },
  async read(id, props) {
    return require("pulumi-obproxy/provider-v1").read(id, props);
  },
  async update(id, olds, news) {
    return require("pulumi-obproxy/provider-v1").update(id, olds, news);
  },
  async delete(id, props) {
    return require("pulumi-obproxy/provider-v1").delete(id, props);
  },
};
