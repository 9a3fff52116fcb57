"""The local phone: every text the local cloud sends (SNS Publish to a number, SMS subscriptions, sandbox one-time
passwords) lands in an outbox, read at /_lab/sms, as the mailbox holds the cloud's mail.

    component.py   PhoneComponent: the outbox, its JSON API and snapshot
    page.py        the HTML: texts newest first, one-time passwords large, the undelivered ones with the reason
SNS decides what is delivered (sns/sandbox.py: the SMS sandbox); the phone only keeps what it was handed.
"""
