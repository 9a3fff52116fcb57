"""ApiGatewayComponent (the Component "apigateway"): REST and HTTP APIs at https://<api-id>.execute-api.localhost:<https
port>/<stage>/…, served through the edge with the kit certificate (*.execute-api.localhost).

    site_for(host)        the edge resolver: a Site for "<id>.execute-api.localhost" when that API exists
    app(environ, …)       the WSGI application behind it: REST (rest.py) or HTTP API (http.py), then the logs
    rest_definition(…)    the definition a REST stage's deployment froze (deployments.py)
    http_definition(…)    an HTTP API stage's: its deployment's, or the live one for an autoDeploy stage
    waf_block(acl, ex)    the stage's web ACL evaluated (waf/): a block's answer, or None
    snapshot/restore      deployments and usage-plan quota counts, so deployed APIs serve after a restart

Every answer carries x-amzn-RequestId and x-amz-apigw-id, and x-amzn-ErrorType when API Gateway answered itself
(aws-facts.md, API Gateway). A failure inside the data plane is logged and answered 500 {"message": "Internal
server error"}: a request never takes the listener down.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from ..cloudwatch.metrics import MetricWriter
from ..core.component import Component
from ..core.edge import Site, edge_of
from ..moto import changes
from ..wafv2.request import WafRequest
from . import accesslog, lazyvalidator, models
from . import metrics as api_metrics
from .authorizers import TokenVerifier
from .deployments import DeploymentStore, HttpDefinition, RestDefinition
from .events import Incoming
from .exchange import Exchange
from .responses import Answer, gateway_answer
from .state import LiveState
from .throttling import Throttles
from .usage import UsagePlans

log = logging.getLogger("labkit.cloud.apigateway")
DOMAIN = ".execute-api.localhost"
_API_ID = re.compile(r"[a-z0-9]{1,20}")
_LOG_LEVELS = {"INFO": 2, "ERROR": 1}


class ApiGatewayComponent(Component):
    name = "apigateway"

    def __init__(self, cloud: Any) -> None:
        super().__init__(cloud)
        changes.watch_changes()
        self.state = LiveState()
        self.store = DeploymentStore()
        self.throttles = Throttles()
        self.usage = UsagePlans()
        self.verifier = TokenVerifier(self._pool_keys)
        self.logs = accesslog.LogWriter()
        self.metrics = MetricWriter("apigw-metrics")
        self.requests = 0
        self._site: Site | None = None
        self._components: dict[str, Any] = {}
        self._http_stage_deployments: dict[tuple[str, str], str] = {}  # HTTP API stages without autoDeploy
        self._live_cache: dict[str, tuple[dict[str, Any], HttpDefinition]] = {}

    # -- component -------------------------------------------------------------------------------------------
    def bind(self) -> None:
        lazyvalidator.defer()  # before anything (a snapshot's restore, the first request) imports moto's models

    def providers(self) -> list[Any]:
        from .provider import ApiGatewayProvider, ApiGatewayV2Provider

        return [ApiGatewayProvider(self), ApiGatewayV2Provider(self)]

    def start(self) -> None:
        edge = edge_of(self.cloud)
        self._site = Site(self.app, edge.kit_certificate(), "https-only")
        edge.add_resolver(self.site_for)

    def stop(self) -> None:
        self.logs.stop()
        self.metrics.stop()

    def health(self) -> dict[str, Any]:
        return {"status": "ok", "deployments": len(self.store), "requests": self.requests}

    def endpoints(self) -> dict[str, str]:
        port = self.cloud.cfg.ports.get("https")
        try:
            port = edge_of(self.cloud).ports.get("https", port)
        except LookupError:
            pass
        return {"api gateway": f"https://<api-id>{DOMAIN}:{port}/<stage>/"}

    def snapshot(self) -> Any:
        # Called with moto.LOCK held: keep the deployments that still exist.
        def keep(api_id: str, deployment_id: str) -> bool:
            loc = models.apigw_locate(api_id)
            if loc is None:
                return False
            return loc.kind == "HTTP" or deployment_id in models.apigw_deployment_ids(loc.account, loc.region, api_id)

        return {"deployments": self.store.snapshot(keep), "quotas": self.usage.snapshot(),
                "http_stages": dict(self._http_stage_deployments)}

    def restore(self, state: Any) -> None:
        self.store.restore(state.get("deployments", {}))
        self.usage.restore(state.get("quotas", {}))
        self._http_stage_deployments.update(state.get("http_stages", {}))

    # -- who serves what -------------------------------------------------------------------------------------
    def site_for(self, host: str) -> Site | None:
        if not host.endswith(DOMAIN) or self._site is None:
            return None
        api_id = host[: -len(DOMAIN)]
        if not _API_ID.fullmatch(api_id) or self.state.locate(api_id) is None:
            return None
        return self._site

    def rest_definition(self, loc: models.ApiLocation, api_id: str, stage: dict[str, Any]) -> RestDefinition | None:
        deployment_id = str(stage.get("deploymentId") or "")
        if not deployment_id:
            return None
        found = self.store.get(api_id, deployment_id, "REST")
        if found is None and deployment_id in models.apigw_deployment_ids(loc.account, loc.region, api_id):
            # Deployed before this data plane knew (an old snapshot): the nearest it can serve is the API as it is.
            log.warning("API %s: no frozen definition for deployment %s; serving the API as it is now", api_id,
                        deployment_id)
            live = self.state.rest_definition(loc, api_id)
            if live is not None:
                self.store.put(api_id, deployment_id, live)
                found = self.store.get(api_id, deployment_id, "REST")
        return found  # type: ignore[return-value]

    def http_definition(self, loc: models.ApiLocation, api_id: str, stage: dict[str, Any],
                        stage_name: str) -> HttpDefinition | None:
        if stage.get("autoDeploy"):
            # "Automatic deployment: … every time you make a change to your API": the live definition is deployed.
            live = self.state.http_definition(loc, api_id)
            if live is None:
                return None
            return self._parsed_live(api_id, live)
        deployment_id = self._http_stage_deployments.get((api_id, stage_name))
        if deployment_id is None:
            return None
        return self.store.get(api_id, deployment_id, "HTTP")  # type: ignore[return-value]

    def deploy_http(self, api_id: str, deployment_id: str, stage_name: str | None, definition: dict[str, Any]) -> None:
        self.store.put(api_id, deployment_id, definition)
        if stage_name:
            self._http_stage_deployments[(api_id, stage_name)] = deployment_id

    def _parsed_live(self, api_id: str, live: dict[str, Any]) -> HttpDefinition:
        cached = self._live_cache.get(api_id)  # LiveState hands out the same dict until the API changes
        if cached is not None and cached[0] is live:
            return cached[1]
        parsed = HttpDefinition.parse(live)
        self._live_cache[api_id] = (live, parsed)
        return parsed

    # -- other data planes -------------------------------------------------------------------------------------
    def _component(self, name: str) -> Any:
        if name not in self._components:
            self._components[name] = next((c for c in self.cloud.components if c.name == name), None)
        return self._components[name]

    def runtime(self) -> Any:
        runtime = self._component("lambda")
        if runtime is None:
            raise LookupError("this local cloud runs no Lambda runtime")
        return runtime

    def _pool_keys(self, pool_id: str) -> dict[str, Any] | None:
        cognito = self._component("cognito")
        if cognito is None or not self.state.pool_exists(pool_id):
            return None
        return {key.kid: key.private.public_key() for key in cognito.keys.keys(pool_id).values()}

    def waf_block(self, acl_arn: str, ex: Exchange) -> Answer | None:
        waf = self._component("waf")
        if waf is None:
            return None
        req = ex.req
        request = WafRequest(method=req.method, path=req.raw_path, query=req.query,
                             headers=[(k, v) for k, v in req.headers], body=req.body, client_ip=req.source_ip)
        try:
            decision = waf.engine.evaluate(waf.resources.web_acl(acl_arn), request, resource_type="API_GATEWAY")
        except Exception as exc:  # a web ACL that cannot be read or evaluated: say so, let the request through
            log.warning("API %s: web ACL %s not evaluated: %s", ex.api_id, acl_arn, exc)
            ex.ctx["waf.error"] = str(exc)
            return None
        ex.ctx["wafResponseCode"] = f"WAF_{decision.action}"
        if not decision.blocked:
            return None
        ex.ctx["waf.status"] = "403"
        if decision.response is not None:
            return Answer(decision.response.status, list(decision.response.headers), decision.response.body,
                          error_type=None)
        return ex.fail("WAF_FILTERED")

    # -- the site ------------------------------------------------------------------------------------------------
    def app(self, environ: dict[str, Any], start_response: Any) -> list[bytes]:
        self.requests += 1
        req = Incoming.from_environ(environ)
        api_id = req.host[: -len(DOMAIN)] if req.host.endswith(DOMAIN) else req.host.split(".", 1)[0]
        loc = self.state.locate(api_id)
        if loc is None:  # deleted since the edge cached its site
            answer = gateway_answer("RESOURCE_NOT_FOUND", {})
            answer.headers.append(("Content-Length", str(len(answer.body))))
            start_response(_status_line(answer.status), answer.headers)
            return [answer.body]
        ex = Exchange(req, api_id, loc)
        try:
            if loc.kind == "REST":
                from .rest import serve_rest

                answer = serve_rest(self, ex)
            else:
                from .http import serve_http

                answer = serve_http(self, ex)
        except Exception:  # a bug here must cost one request, never the listener
            log.exception("API %s failed on %s %s", api_id, req.method, req.raw_path)
            answer = ex.fail("API_CONFIGURATION_ERROR")
        answer = ex.finish(answer)
        try:
            self._write_logs(ex)
            self._write_metrics(ex, answer.status)
        except Exception:
            log.exception("API %s: writing the logs or metrics failed", api_id)
        start_response(_status_line(answer.status), answer.headers)
        return [b"" if req.method == "HEAD" else answer.body]

    def _write_metrics(self, ex: Exchange, status: int) -> None:
        """A request to a stage counts in that stage's CloudWatch metrics (metrics.py); one that names no stage of
        the API (a 403 Missing Authentication Token) in none."""
        if not ex.stage:
            return
        integration = ex.ctx.get("integrationLatency")
        self.metrics.put(ex.location.account, ex.location.region, api_metrics.NAMESPACE, api_metrics.datapoints(
            ex.location.kind, ex.api_id, ex.api_name, str(ex.ctx.get("stage") or ""), status,
            float(ex.ctx.get("responseLatency") or 0), float(integration) if integration is not None else None))

    def _write_logs(self, ex: Exchange) -> None:
        stage = ex.stage
        if not stage:
            return
        stage_name = str(ex.ctx.get("stage") or "")
        settings = stage.get("accessLogSettings") or {}
        destination, fmt = settings.get("destinationArn"), settings.get("format")
        if destination and fmt:
            where = accesslog.log_group_of(str(destination))
            if where is not None:
                account, region, group = where
                self.logs.write(account, region, group, accesslog.log_stream(ex.api_id, stage_name),
                                accesslog.access_line(str(fmt), ex.ctx))
        level = _LOG_LEVELS.get(str(((stage.get("methodSettings") or {}).get("*/*") or {}).get("loggingLevel")), 0)
        lines = [text for error, text in ex.lines if level >= 2 or (level == 1 and error)]
        for text in lines:
            self.logs.write(ex.location.account, ex.location.region, accesslog.execution_group(ex.api_id, stage_name),
                            accesslog.log_stream(ex.api_id, stage_name), text)


def _status_line(status: int) -> str:
    from http import HTTPStatus

    try:
        return f"{status} {HTTPStatus(status).phrase}"
    except ValueError:
        return f"{status} Unknown"
