"""cloud.log is for the kit's own lines: libraries log warnings only, so a mail does not add a dozen SMTP lines."""

from __future__ import annotations

import smtplib

from labkit import mailbox


def test_mail_leaves_no_smtp_chatter_in_cloud_log(fresh_cloud):
    with smtplib.SMTP("127.0.0.1", int(fresh_cloud.env["LAB_SMTP_PORT"]), timeout=10) as smtp:
        smtp.sendmail("site@example.com", ["owner@example.com"], "Subject: hello\r\n\r\nA message.\r\n")
    assert [m["subject"] for m in mailbox.messages("owner@example.com", cfg=fresh_cloud.cfg)] == ["hello"]
    fresh_cloud.down()  # flushes the log and writes the stop line
    log = (fresh_cloud.state_dir / "cloud.log").read_text()
    assert "INFO labkit.cloud: local cloud ready:" in log
    assert "INFO labkit.cloud: local cloud stopped" in log
    assert " mail.log: " not in log and "ehlo" not in log.lower()
