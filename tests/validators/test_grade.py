"""make grade: a class on one local cloud. Three learners build the whole site with the workshop's own notebook code,
all with the same LAB_DOMAIN; one of them then breaks a layer. The roster is graded the way make grade runs it."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import botocore.exceptions
import dns.message
import dns.query
import pytest
import requests

from labkit import config, names, target
from tools.deploy_workshop import deploy_class
from validators.grade import RosterError, grade, read_roster

from ..conftest import Cloud, cloud_env

LEARNERS = ("ana", "ben", "cy")


@pytest.fixture(scope="module")
def klass(tmp_path_factory) -> Cloud:
    cloud = Cloud(cloud_env(tmp_path_factory.mktemp("class")))
    cloud.up()
    deploy_class([{**cloud.env, "LAB_LEARNER": who} for who in LEARNERS], jobs=3)
    cy = config.load({**cloud.env, "LAB_LEARNER": "cy"})
    sns = target.client("sns", cy)
    topic = next(t["TopicArn"] for t in sns.list_topics()["Topics"] if t["TopicArn"].endswith(names(cy).topic))
    for subscription in sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]:
        sns.unsubscribe(SubscriptionArn=subscription["SubscriptionArn"])  # cy's owner is no longer told
    yield cloud
    cloud.down()


def write_roster(path: Path, *rows: str) -> Path:
    path.write_text("\n".join(rows) + "\n")
    return path


def test_a_class_is_graded_into_one_gradebook_and_a_report_each(klass, tmp_path):
    roster = write_roster(tmp_path / "roster.csv", "learner,email", "ana,", "ben,", "cy,")
    done = subprocess.run([sys.executable, "-m", "validators.grade", str(roster), "--out", str(tmp_path / "out")],
                          env={**klass.env, "PATH": "/usr/bin:/bin"}, capture_output=True, text=True, timeout=300)
    assert done.returncode == 1, done.stdout + done.stderr  # one learner failed
    assert "Traceback" not in done.stdout + done.stderr
    with open(tmp_path / "out" / "gradebook.csv", newline="") as handle:
        rows = {row["learner"]: row for row in csv.DictReader(handle)}
    assert set(rows) == set(LEARNERS)
    assert rows["ana"]["outcome"] == rows["ben"]["outcome"] == "pass", rows
    assert rows["ana"]["score"] == rows["ben"]["score"] and rows["ana"]["journey.notified"] == "pass"
    assert rows["cy"]["outcome"] == "fail" and rows["cy"]["first_failure"].startswith("sns."), rows["cy"]
    assert rows["cy"]["dynamodb.through_api"] == "pass"  # only what the broken layer touches fails
    for who in LEARNERS:
        report = json.loads((tmp_path / "out" / who / "check.json").read_text())
        assert report["learner"] == who and (tmp_path / "out" / who / "check.xml").exists()
        identity = next(r for r in report["results"] if r["check"] == "setup.identity")
        assert config.local_account(who) in identity["observed"]
    for who in ("ana", "ben"):
        assert who in done.stdout and "pass" in done.stdout
    learners = requests.get(klass.cfg.gateway_url + "/_lab/api/checks", timeout=10).json()["learners"]
    assert set(LEARNERS) <= set(learners)  # the class grid of /_lab/ has every learner


def test_learners_with_the_same_domain_setting_keep_their_own_sites(klass):
    sites = {}
    for who in LEARNERS:
        cfg = config.load({**klass.env, "LAB_LEARNER": who})
        assert cfg.domain == f"{who}.contact.localhost"
        query = dns.message.make_query(f"www.{cfg.domain}", "A")
        answer = dns.query.udp(query, "127.0.0.1", port=cfg.ports["dns"], timeout=5)
        assert answer.answer, f"no A record for www.{cfg.domain}"
        distributions = target.client("cloudfront", cfg).list_distributions()["DistributionList"]["Items"]
        assert len(distributions) == 1  # each account sees its own distribution only
        sites[who] = distributions[0]
        assert sorted(distributions[0]["Aliases"]["Items"]) == [cfg.domain, f"www.{cfg.domain}"]
    assert len({site["Id"] for site in sites.values()}) == len(LEARNERS)
    ana = config.load({**klass.env, "LAB_LEARNER": "ana"})
    pools = target.client("cognito-idp", ana).list_user_pools(MaxResults=60)["UserPools"]
    assert [p["Name"] for p in pools] == [names(ana).user_pool]
    assert target.client("dynamodb", klass.cfg).list_tables()["TableNames"] == []  # the default account is empty


def test_a_learner_cannot_take_another_learners_name(klass):
    """CloudFront accepts an alternate domain name only with a certificate that covers it (CloudFront Developer
    Guide, "Requirements for using alternate domain names": a valid certificate that covers the name proves the
    right to use it). ben has none for ana's name, and cannot get one: ana's zone answers for it."""
    ana = config.load({**klass.env, "LAB_LEARNER": "ana"})
    ben = target.client("cloudfront", config.load({**klass.env, "LAB_LEARNER": "ben"}))
    dist = ben.list_distributions()["DistributionList"]["Items"][0]["Id"]
    current = ben.get_distribution_config(Id=dist)
    settings = {**current["DistributionConfig"], "Aliases": {"Quantity": 1, "Items": [f"www.{ana.domain}"]}}
    with pytest.raises(botocore.exceptions.ClientError) as caught:
        ben.update_distribution(Id=dist, IfMatch=current["ETag"], DistributionConfig=settings)
    assert caught.value.response["Error"]["Code"] == "InvalidViewerCertificate"


def test_grading_in_process_matches_and_reports_an_unreachable_learner(klass, tmp_path):
    learners = read_roster(write_roster(tmp_path / "r.csv", "learner", "ben", "nobody"))
    results = {g.learner: g for g in grade(learners, klass.env, tmp_path / "out", jobs=2)}
    assert results["ben"].outcome == "pass"
    assert results["nobody"].outcome == "fail" and results["nobody"].first_failure.startswith("s3.bucket")


@pytest.mark.parametrize("rows, words", [
    (("name", "ana"), ["no 'learner' column"]),
    (("learner",), ["names no learner"]),
    (("learner", "ana", "Ana"), ["line 3", "already on line 2"]),
    (("learner", "ana b"), ["line 2", "lower-case letters"]),
    (("learner,colour", "ana,red"), ["colour", "the columns are"]),
])
def test_a_bad_roster_says_which_line_and_what_to_fix(tmp_path, rows, words):
    with pytest.raises(RosterError) as caught:
        read_roster(write_roster(tmp_path / "roster.csv", *rows))
    for word in words:
        assert word in str(caught.value)


def test_a_missing_roster_and_a_missing_role_say_what_to_do(tmp_path):
    with pytest.raises(RosterError) as caught:
        read_roster(tmp_path / "nope.csv")
    assert "no roster at" in str(caught.value) and "'learner' column" in str(caught.value)
    roster = read_roster(write_roster(tmp_path / "aws.csv", "learner,account,role_arn",
                                      "ana,111122223333,", "ben,111122223333,arn:aws:iam::444455556666:role/grader"))
    aws = {"LAB_TARGET": "aws", "LAB_STATE_DIR": str(tmp_path / "state")}
    with pytest.raises(RosterError) as caught:
        grade(roster[:1], aws, tmp_path / "out")
    assert "role_arn" in str(caught.value) and "ana" in str(caught.value)
    with pytest.raises(RosterError) as caught:
        grade(roster[1:], aws, tmp_path / "out")
    assert "444455556666" in str(caught.value) and "111122223333" in str(caught.value)
    assert not (tmp_path / "out").exists()  # nothing graded, nothing written
