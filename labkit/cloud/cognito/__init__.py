"""Cognito user pools: what moto lacks for a real sign-up (codes mailed, TOTP, signed tokens, AWS's messages).

    models.py      moto's users, pools and sessions; token signing and the messages as Cognito words them
    provider.py    SignUp, ConfirmSignUp, ForgotPassword, MFA… with real codes
    component.py   CognitoComponent: codes, TOTP secrets and signing keys, their snapshot; mail through core.mail
    codes.py       confirmation codes; keys.py per-pool signing keys and JWKS; totp.py TOTP secrets
"""
