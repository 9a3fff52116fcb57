"""What every service of the local cloud builds on; nothing here knows a particular AWS service.

    component.py        Component: the hooks a data plane implements (bind, start, providers, routes, health…)
    gateway.py          the AWS endpoint: the components' filters, then providers, then moto
    providers.py        Provider and ProviderRegistry: AWS operations answered in place of moto
    routing.py          which operation a request calls, from the service's botocore model
    errors.py           AwsError, rendered in the request's protocol
    edge.py             the HTTPS listener: TLS with SNI, one site per host name (CloudFront, API Gateway)
    certs.py            the local certificate authority and its leaves
    wsgi_on_uvicorn.py  WSGI applications on uvicorn; listeners.py sockets and the ports browsers refuse
    health.py           /_lab/health; snapshot.py the snapshot file; statedir.py the state directory
    mail.py             send_mail: a message to the local mailbox (Cognito's codes, SNS e-mail)
"""
