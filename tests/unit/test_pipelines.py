"""The generated pipelines, parsed: remote state with a key per environment, a bootstrap root
that creates it and the roles the workflows assume, and services promoted from dev to prod."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import hcl2
import pytest
import yaml

from decomposer.models import DecompositionPlan, ScaffoldOptions
from decomposer.scaffold import render_scaffold
from decomposer.scaffold.infra import build_spec
from decomposer.scaffold.pipelines import build_delivery, pipeline_of
from tests.unit.test_scaffold_structure import as_list, norm

PLAN = Path(__file__).resolve().parent.parent / "golden" / "scaffold" / "plan.json"


@pytest.fixture(scope="module")
def plan() -> DecompositionPlan:
    return DecompositionPlan.model_validate(json.loads(PLAN.read_text()))


@pytest.fixture(scope="module")
def rendered(plan: DecompositionPlan) -> dict[str, str]:
    return {f.path: f.content for f in render_scaffold(plan, options=ScaffoldOptions())}


def resources(text: str) -> dict[tuple[str, str], Any]:
    return {
        (kind, name): body
        for block in as_list(norm(hcl2.loads(text)).get("resource", []))
        for kind, named in block.items()
        for name, body in named.items()
    }


def workflow(rendered: dict[str, str], name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(rendered[f".github/workflows/{name}"])
    return loaded


def test_the_root_keeps_its_state_in_s3_and_each_environment_has_its_own_key(
    rendered: dict[str, str],
) -> None:
    backend = norm(hcl2.loads(rendered["infra/backend.tf"]))["terraform"]["backend"]
    assert "s3" in backend
    assert "infra/backend.tf.example" not in rendered
    keys = {}
    for environment in ("dev", "prod"):
        config = norm(hcl2.loads(rendered[f"infra/environments/{environment}.s3.tfbackend"]))
        assert config["encrypt"] is True and config["dynamodb_table"] == "shop-terraform-locks"
        keys[environment] = config["key"]
    assert keys == {"dev": "shop/dev/terraform.tfstate", "prod": "shop/prod/terraform.tfstate"}


def test_the_bootstrap_makes_a_versioned_encrypted_private_state_bucket_and_a_lock_table(
    rendered: dict[str, str],
) -> None:
    made = resources(rendered["infra/bootstrap/main.tf"])
    versioning = made[("aws_s3_bucket_versioning", "state")]["versioning_configuration"]
    assert versioning["status"] == "Enabled"
    encryption = made[("aws_s3_bucket_server_side_encryption_configuration", "state")]
    default = encryption["rule"]["apply_server_side_encryption_by_default"]
    assert default["sse_algorithm"] == "aws:kms"
    blocked = made[("aws_s3_bucket_public_access_block", "state")]
    assert all(
        blocked[flag] is True
        for flag in (
            "block_public_acls",
            "block_public_policy",
            "ignore_public_acls",
            "restrict_public_buckets",
        )
    )
    locks = made[("aws_dynamodb_table", "locks")]
    assert locks["hash_key"] == "LockID" and locks["name"] == "shop-terraform-locks"
    assert made[("aws_iam_openid_connect_provider", "github")]["url"] == (
        "https://token.actions.githubusercontent.com"
    )


def test_each_role_trusts_only_this_repository_in_one_github_environment(
    rendered: dict[str, str], plan: DecompositionPlan
) -> None:
    document = norm(hcl2.loads(rendered["infra/bootstrap/main.tf"]))
    trust = next(
        block["aws_iam_policy_document"]["trust"]
        for block in as_list(document["data"])
        if "trust" in block.get("aws_iam_policy_document", {})
    )
    conditions = {c["variable"]: c for c in as_list(trust["statement"]["condition"])}
    assert conditions["${local.oidc_host}:sub"]["test"] == "StringEquals"
    assert conditions["${local.oidc_host}:sub"]["values"] == (
        "repo:${var.github_repository}:environment:${each.value.github_environment}"
    )
    roles = document["locals"]["roles"]
    services = {c.name for c in plan.contexts}
    deploy = {name for name, role in roles.items() if role["purpose"] == "deploy"}
    assert deploy == {f"shop-{e}-deploy-{s}" for e in ("dev", "prod") for s in services}
    assert {role["github_environment"] for role in roles.values()} == {
        "dev",
        "prod",
        "dev-plan",
        "prod-plan",
    }
    # Least privilege: a deploy role pushes one repository and rolls one group.
    deploy_policy = resources(rendered["infra/bootstrap/main.tf"])
    assert ("aws_iam_role_policy", "deploy") in deploy_policy
    text = rendered["infra/bootstrap/main.tf"]
    assert (
        "repository/shop-${each.value.environment}-${each.value.service}" in text
        and "autoScalingGroupName/shop-${each.value.environment}-${each.value.service}" in text
    )


def test_infra_workflow_initialises_each_environment_with_its_own_backend(
    rendered: dict[str, str],
) -> None:
    infra = workflow(rendered, "infra.yml")
    for job in ("plan", "apply"):
        include = infra["jobs"][job]["strategy"]["matrix"]["include"]
        assert [entry["environment"] for entry in include] == ["dev", "prod"]
        for entry in include:
            assert f"infra/{entry['backend']}" in rendered
        inits = [
            s["run"] for s in infra["jobs"][job]["steps"] if "terraform init" in s.get("run", "")
        ]
        assert len(inits) == 1
        assert '-backend-config="${{ matrix.backend }}"' in inits[0]
        assert '-backend-config="bucket=$STATE_BUCKET"' in inits[0]
    assert "secrets." not in rendered[".github/workflows/infra.yml"]


def test_each_service_is_built_once_deployed_to_dev_then_promoted_to_prod_after_approval(
    rendered: dict[str, str], plan: DecompositionPlan
) -> None:
    for context in plan.contexts:
        name = context.name.replace("_", "-")
        jobs = workflow(rendered, f"service-{name}.yml")["jobs"]
        assert jobs["build"]["needs"] == "test"
        assert jobs["deploy-dev"]["needs"] == "build"
        assert jobs["deploy-dev"]["environment"] == "dev"
        assert jobs["deploy-prod"]["needs"] == "deploy-dev"
        assert jobs["deploy-prod"]["environment"] == "prod"
        for environment in ("dev", "prod"):
            job = jobs[f"deploy-{environment}"]
            credentials = next(
                s for s in job["steps"] if "configure-aws-credentials" in s.get("uses", "")
            )
            assert credentials["with"]["role-to-assume"].endswith(
                f":role/shop-{environment}-deploy-{name}"
            )
            assert job["env"]["REPOSITORY"] == f"shop-{environment}-{name}"
            # Each service's deploys queue apart from every other service's.
            assert job["concurrency"]["group"] == f"deploy-{name}-{environment}"


def test_a_rerun_of_the_same_commit_does_not_push_an_immutable_tag_again(
    rendered: dict[str, str],
) -> None:
    jobs = workflow(rendered, "service-orders.yml")["jobs"]
    push = next(s["run"] for s in jobs["deploy-prod"]["steps"] if "docker push" in s.get("run", ""))
    check = push.index("aws ecr describe-images")
    assert re.search(r"describe-images .*--image-ids \"imageTag=\$TAG\"", push)
    assert check < push.index("exit 0") < push.index("docker push")
    # ECR refuses a second push of a tag: the repositories are immutable, which this relies on.
    service = resources(rendered["infra/modules/service/main.tf"])
    assert service[("aws_ecr_repository", "this")]["image_tag_mutability"] == "IMMUTABLE"


def test_pipeline_models_name_every_role_the_workflows_assume(plan: DecompositionPlan) -> None:
    spec = build_spec(plan, ScaffoldOptions())
    delivery = build_delivery(spec)
    names = {role.name for role in delivery.roles}
    for service in spec.services:
        pipeline = pipeline_of(spec, service.name)
        assert [stage.environment for stage in pipeline.stages] == ["dev", "prod"]
        assert [stage.is_approved for stage in pipeline.stages] == [False, True]
        assert {stage.role for stage in pipeline.stages} <= names
    assert {s.plan_role for s in delivery.states} | {s.apply_role for s in delivery.states} <= names
    assert all(len(name) <= 64 for name in names)


def test_a_deploy_adds_a_launch_template_version_running_its_tag_and_rolls_onto_it(
    rendered: dict[str, str],
) -> None:
    for environment in ("dev", "prod"):
        job = workflow(rendered, "service-orders.yml")["jobs"][f"deploy-{environment}"]
        assert job["env"]["PARAMETER"] == f"/services/shop-{environment}-orders/image-tag"
        roll = next(s["run"] for s in job["steps"] if "start-instance-refresh" in s.get("run", ""))
        order = [
            roll.index("aws ssm put-parameter"),  # first: an apply finishes a failed deploy
            roll.index('--versions "\\$Latest"'),
            roll.index('"s#\\"$IMAGE_URI:[^\\"]*\\"#\\"$IMAGE_URI:$TAG\\"#"'),
            roll.index('aws ec2 create-launch-template-version --launch-template-id "$template"'),
            roll.index("aws autoscaling update-auto-scaling-group"),
            roll.index("aws autoscaling start-instance-refresh"),
        ]
        assert order == sorted(order)
        assert '--launch-template "LaunchTemplateId=$template,Version=$version"' in roll
    # Nothing but the deploy job writes the parameter's value after terraform creates it.
    service = resources(rendered["infra/modules/service/main.tf"])
    lifecycle = service[("aws_ssm_parameter", "image_tag")]["lifecycle"]
    assert as_list(lifecycle["ignore_changes"]) == ["insecure_value"]


def test_each_deploy_role_may_roll_out_its_own_service_only(rendered: dict[str, str]) -> None:
    bootstrap = norm(hcl2.loads(rendered["infra/bootstrap/main.tf"]))
    deploy = next(
        named["deploy"]
        for block in as_list(bootstrap["data"])
        for kind, named in block.items()
        if kind == "aws_iam_policy_document" and "deploy" in named
    )
    statements = {s["sid"]: s for s in as_list(deploy["statement"])}
    name = "shop-${each.value.environment}-${each.value.service}"
    create = statements["AddLaunchTemplateVersion"]
    assert as_list(create["actions"]) == ["ec2:CreateLaunchTemplateVersion"]
    condition = as_list(create["condition"])[0]
    assert condition["variable"] == "aws:ResourceTag/Name" and as_list(condition["values"]) == [
        name
    ]
    group = statements["PointAndRollGroup"]
    assert set(as_list(group["actions"])) == {
        "autoscaling:UpdateAutoScalingGroup",
        "autoscaling:StartInstanceRefresh",
    }
    assert as_list(group["resources"])[0].endswith(f":autoScalingGroupName/{name}")
    assert as_list(statements["PassInstanceRole"]["resources"])[0].endswith(
        f":role/{name}-instance"
    )
    assert as_list(statements["RecordImageTag"]["resources"])[0].endswith(
        f":parameter/services/{name}/image-tag"
    )
    assert "ec2:DescribeLaunchTemplateVersions" in as_list(statements["Read"]["actions"])
