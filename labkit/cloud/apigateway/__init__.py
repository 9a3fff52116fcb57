"""API Gateway's data plane: REST APIs (v1) and HTTP APIs (v2) served at https://<api-id>.execute-api.localhost:<https
port>/<stage>/…, through the edge.

    models.py       moto's REST and HTTP APIs, stages and usage plans, as plain data
    component.py    ApiGatewayComponent: the edge site, the WSGI app, snapshots, links to Lambda, Cognito and WAF
    rest.py         a REST request: stage → WAF → route → throttling → authorizer → API key → integration
    http.py         an HTTP API request: stage → CORS → route → throttling → JWT authorizer → Lambda
    exchange.py     one request's $context variables, execution log lines and gateway answers
    deployments.py  definitions frozen at CreateDeployment (only the deployed state is served)
    canary.py       a stage's canary release: its settings, UpdateStage's operations, the requests it serves
    routing.py      resources, path parameters, greedy {proxy+}
    authorizers.py  Cognito user pool tokens (COGNITO_USER_POOLS, and JWT for HTTP APIs)
    integrations.py AWS_PROXY to Lambda (proxy response checks), MOCK
    permissions.py  the function's resource policy must allow apigateway.amazonaws.com for the method's ARN
    events.py       the request, and the proxy events (format 1.0 and 2.0)
    throttling.py   token buckets; usage.py API keys, usage plans and quotas
    responses.py    gateway responses and $context rendering; accesslog.py CloudWatch Logs lines
    metrics.py      a stage's CloudWatch metrics, one request's datapoints
    state.py        live reads of stages, plans and policies, cached per change of their services
    provider.py     CreateDeployment (REST: keep the stage's settings, freeze the API; HTTP APIs: moto has none)
    lazyvalidator.py  moto's OpenAPI validator imported when first used, not with moto's models (~2 s)
"""

from .component import ApiGatewayComponent

__all__ = ["ApiGatewayComponent"]
