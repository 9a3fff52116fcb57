// What node needs to use the local cloud without changing the program: loaded first with
//   NODE_OPTIONS="--require <this file>"      (python -m labkit env --node prints it)
//
// 1. *.localhost is loopback (RFC 6761). glibc answers only "localhost" itself, so node's dns.lookup (which
//    http, https, net and fetch call) fails with ENOTFOUND on site.localhost or <api>.execute-api.localhost.
// 2. A Cognito user pool's keys are fetched from the token's issuer, https://cognito-idp.<region>.amazonaws.com/
//    <pool>/.well-known/jwks.json (aws-jwt-verify, jose…). Those two documents are read from the local cloud
//    instead (LAB_GATEWAY_URL), which serves them at the same path; every other request is left alone.
"use strict";
const dns = require("node:dns");
const http = require("node:http");
const https = require("node:https");

const LOOPBACK = { address: "127.0.0.1", family: 4 };
const isLocal = (name) => typeof name === "string" && (name === "localhost" || name.toLowerCase().endsWith(".localhost"));

const lookup = dns.lookup;
dns.lookup = function (hostname, options, callback) {
  if (!isLocal(hostname)) return lookup.apply(this, arguments);
  const done = typeof options === "function" ? options : callback;
  const all = typeof options === "object" && options !== null && options.all;
  process.nextTick(() => (all ? done(null, [LOOPBACK]) : done(null, LOOPBACK.address, LOOPBACK.family)));
  return {};
};
const lookupPromise = dns.promises.lookup;
dns.promises.lookup = async function (hostname, options) {
  if (!isLocal(hostname)) return lookupPromise.apply(this, arguments);
  return options && options.all ? [LOOPBACK] : LOOPBACK;
};

const gateway = process.env.LAB_GATEWAY_URL;
const ISSUER = /^cognito-idp\.[a-z0-9-]+\.amazonaws\.com$/i;
const DOCUMENT = /^\/[\w-]+_[\w]+\/\.well-known\/(jwks\.json|openid-configuration)$/;
const local = (host, path) => (gateway && ISSUER.test(host || "") && DOCUMENT.test((path || "").split("?")[0])
  ? new URL(path, gateway) : null);

if (gateway) {
  const fetch = globalThis.fetch;
  if (fetch) {
    globalThis.fetch = function (input, init) {
      const url = new URL(typeof input === "string" || input instanceof URL ? input : input.url);
      const moved = url.protocol === "https:" ? local(url.hostname, url.pathname) : null;
      return fetch.call(this, moved || input, init);
    };
  }
  for (const name of ["request", "get"]) {
    const original = https[name];
    https[name] = function (target, options, callback) {
      let url = null;
      if (typeof target === "string" || target instanceof URL) url = new URL(target);
      const host = url ? url.hostname : (target && (target.hostname || target.host || "")).split(":")[0];
      const path = url ? url.pathname + url.search : target && target.path;
      const moved = local(host, path);
      if (!moved) return original.apply(this, arguments);
      const rest = typeof options === "function" ? [options] : [options, callback].filter((x) => x !== undefined);
      const extra = url && typeof options === "object" ? options : url ? {} : target;
      const { agent, hostname, host: _h, port, protocol, path: _p, ...kept } = extra || {};
      return http[name](moved, kept, ...rest.filter((x) => typeof x === "function"));
    };
  }
}
