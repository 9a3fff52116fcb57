"""The local mailbox: an SMTP server every mail of the cloud goes to, read at /_lab/mail.

    component.py   MailboxComponent: SMTP in (aiosmtpd), the store, the JSON API
    page.py        the HTML: the list (filter, codes, validator mail behind a toggle) and one message
Services send through labkit.cloud.core.mail.send_mail.
"""
