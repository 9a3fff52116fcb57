"""The local mailbox: an SMTP server every mail of the cloud goes to, read at /_lab/mail.

    component.py   MailboxComponent: SMTP in (aiosmtpd), the store, the HTML and JSON pages
Services send through labkit.cloud.core.mail.send_mail.
"""
