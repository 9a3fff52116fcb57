"""What SNS sends, as documented: the JSON documents, their signatures, the Lambda event and the e-mail texts.

    Signer                    the local signing key and its self-signed certificate (served at SigningCertURL)
    string_to_sign(doc)       the documented fields, in the documented order, as "Name\\nValue\\n" pairs
    confirmation(...)         a SubscriptionConfirmation / UnsubscribeConfirmation document
    notification(...)         a Notification document
    lambda_event(...)         the {"Records": [{"EventSource": "aws:sns", "Sns": …}]} event of a lambda subscription
    confirmation_mail(...)    subject and text of an e-mail subscription's confirmation
    notification_mail(...)    subject and text of a notification to an e-mail subscription
    dumps(doc)                a document as SNS writes it in HTTP bodies and email-json mails

Sources: "Parsing message formats" and "Verifying the signatures of Amazon SNS messages" in the Amazon SNS
Developer Guide (research/aws-facts.md, SNS).
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import json
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID

from .models import SnsMessage

# The fields a signature covers, in the order AWS documents (optional ones only when present).
NOTIFICATION_FIELDS = ("Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type")
CONFIRMATION_FIELDS = ("Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type")
HASHES = {"1": hashes.SHA1, "2": hashes.SHA256}  # SignatureVersion 1 = SHA1withRSA, 2 = SHA256withRSA
DEFAULT_SUBJECT = "AWS Notification Message"
CONFIRMATION_SUBJECT = "AWS Notification - Subscription Confirmation"
SIGNER_NAME = "sns.labcloud.localhost"


class Signer:
    """An RSA key and a self-signed certificate for it; kept in the snapshot so old SigningCertURLs stay valid."""

    def __init__(self, key_pem: bytes, cert_pem: bytes, key: Any = None) -> None:
        self.key_pem, self.cert_pem = key_pem, cert_pem
        # generate() passes the key it made: parsing the PEM again would check the key once more (~30 ms).
        self._key = key if key is not None else serialization.load_pem_private_key(key_pem, password=None)
        cert = x509.load_pem_x509_certificate(cert_pem)
        # Named like AWS's certificates: SimpleNotificationService-<hex>.pem
        digest = hashlib.sha256(cert.public_bytes(serialization.Encoding.DER)).hexdigest()[:32]
        self.cert_name = f"SimpleNotificationService-{digest}.pem"

    @classmethod
    def generate(cls) -> Signer:
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, SIGNER_NAME)])
        now = datetime.datetime.now(datetime.timezone.utc)
        cert = (
            x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1)).not_valid_after(now + datetime.timedelta(days=3650))
            .sign(key, hashes.SHA256())
        )
        key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption())
        return cls(key_pem, cert.public_bytes(serialization.Encoding.PEM), key)

    def sign(self, doc: dict[str, Any], version: str, cert_url: str) -> dict[str, Any]:
        """``doc`` signed: SignatureVersion, Signature (base64) and SigningCertURL after the signed fields,
        UnsubscribeURL and MessageAttributes last, in the order AWS writes them."""
        version = version if version in HASHES else "1"
        signed = {k: v for k, v in doc.items() if k not in _TRAILING}
        signed["SignatureVersion"] = version
        signature = self._key.sign(string_to_sign(signed).encode("utf-8"), padding.PKCS1v15(), HASHES[version]())
        signed["Signature"] = base64.b64encode(signature).decode()
        signed["SigningCertURL"] = cert_url
        signed.update({k: doc[k] for k in _TRAILING if k in doc})
        return signed


_TRAILING = ("UnsubscribeURL", "MessageAttributes")


def string_to_sign(doc: dict[str, Any]) -> str:
    fields = NOTIFICATION_FIELDS if doc["Type"] == "Notification" else CONFIRMATION_FIELDS
    return "".join(f"{name}\n{doc[name]}\n" for name in fields if doc.get(name) is not None)


def confirmation(kind: str, *, topic_arn: str, subscription_arn: str, token: str, message_id: str,
                 timestamp: str, subscribe_url: str) -> dict[str, Any]:
    """An unsigned SubscriptionConfirmation or UnsubscribeConfirmation, with AWS's wording."""
    if kind == "SubscriptionConfirmation":
        text = (f"You have chosen to subscribe to the topic {topic_arn}.\n"
                "To confirm the subscription, visit the SubscribeURL included in this message.")
    else:
        text = (f"You have chosen to deactivate subscription {subscription_arn}.\n"
                "To cancel this operation and restore the subscription, visit the SubscribeURL included in this "
                "message.")
    return {"Type": kind, "MessageId": message_id, "Token": token, "TopicArn": topic_arn, "Message": text,
            "SubscribeURL": subscribe_url, "Timestamp": timestamp}


def notification(msg: SnsMessage, *, unsubscribe_url: str) -> dict[str, Any]:
    """An unsigned Notification; Subject and MessageAttributes only when the publisher gave them."""
    doc: dict[str, Any] = {"Type": "Notification", "MessageId": msg.message_id,
                           "TopicArn": msg.subscription.topic_arn}
    if msg.subject:
        doc["Subject"] = msg.subject
    doc.update({"Message": msg.message, "Timestamp": msg.timestamp, "UnsubscribeURL": unsubscribe_url})
    if msg.attributes:
        doc["MessageAttributes"] = msg.attributes
    return doc


def lambda_event(signed: dict[str, Any], subscription_arn: str) -> dict[str, Any]:
    """The event Lambda receives: the notification under "Sns", with Lambda's spelling of the URL fields
    (SigningCertUrl, UnsubscribeUrl), Subject null and MessageAttributes {} when absent."""
    sns = {
        "Type": signed["Type"], "MessageId": signed["MessageId"], "TopicArn": signed["TopicArn"],
        "Subject": signed.get("Subject"), "Message": signed["Message"], "Timestamp": signed["Timestamp"],
        "SignatureVersion": signed["SignatureVersion"], "Signature": signed["Signature"],
        "SigningCertUrl": signed["SigningCertURL"], "UnsubscribeUrl": signed["UnsubscribeURL"],
        "MessageAttributes": signed.get("MessageAttributes", {}),
    }
    return {"Records": [{"EventSource": "aws:sns", "EventVersion": "1.0", "EventSubscriptionArn": subscription_arn,
                         "Sns": sns}]}


def confirmation_mail(topic_arn: str, confirm_url: str) -> tuple[str, str]:
    text = (
        f"You have chosen to subscribe to the topic: \n{topic_arn}\n\n"
        "To confirm this subscription, click or visit the link below (If this was in error no action is "
        f"necessary): \nConfirm subscription: {confirm_url}\n\n"
        "Please do not reply directly to this email.\n"
    )
    return CONFIRMATION_SUBJECT, text


def notification_mail(msg: SnsMessage, unsubscribe_url: str) -> tuple[str, str]:
    """The message, then the footer AWS appends to every e-mail notification."""
    text = (
        f"{msg.message}\n\n--\n"
        "If you wish to stop receiving notifications from this topic, please click or visit the link below to "
        f"unsubscribe:\n{unsubscribe_url}\n\n"
        "Please do not reply directly to this email.\n"
    )
    return msg.subject or DEFAULT_SUBJECT, text


def dumps(doc: dict[str, Any]) -> str:
    """Pretty-printed with " : " separators, as SNS writes its JSON bodies."""
    return json.dumps(doc, indent=2, separators=(",", " : "), ensure_ascii=False)
