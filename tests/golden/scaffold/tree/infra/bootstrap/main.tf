# Made once per AWS account, before the first pipeline runs (README.md): the bucket and table of
# every environment's Terraform state, GitHub's OIDC provider, and one role per kind of job.

data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}

locals {
  account   = data.aws_caller_identity.current.account_id
  partition = data.aws_partition.current.partition
  bucket    = "shop-tfstate-${local.account}"
  # token.actions.githubusercontent.com, the issuer of GitHub Actions' OIDC tokens.
  oidc_host = trimprefix("https://token.actions.githubusercontent.com", "https://")

  # Each role: the GitHub environment whose jobs may assume it, and what it does.
  roles = {
    "shop-dev-deploy-catalog"        = { environment = "dev", github_environment = "dev", purpose = "deploy", service = "catalog", state_key = "shop/dev/terraform.tfstate" }
    "shop-dev-deploy-customers"      = { environment = "dev", github_environment = "dev", purpose = "deploy", service = "customers", state_key = "shop/dev/terraform.tfstate" }
    "shop-dev-deploy-inventory"      = { environment = "dev", github_environment = "dev", purpose = "deploy", service = "inventory", state_key = "shop/dev/terraform.tfstate" }
    "shop-dev-deploy-notifications"  = { environment = "dev", github_environment = "dev", purpose = "deploy", service = "notifications", state_key = "shop/dev/terraform.tfstate" }
    "shop-dev-deploy-orders"         = { environment = "dev", github_environment = "dev", purpose = "deploy", service = "orders", state_key = "shop/dev/terraform.tfstate" }
    "shop-dev-deploy-payments"       = { environment = "dev", github_environment = "dev", purpose = "deploy", service = "payments", state_key = "shop/dev/terraform.tfstate" }
    "shop-dev-deploy-shipping"       = { environment = "dev", github_environment = "dev", purpose = "deploy", service = "shipping", state_key = "shop/dev/terraform.tfstate" }
    "shop-dev-tf-apply"              = { environment = "dev", github_environment = "dev", purpose = "apply", service = "", state_key = "shop/dev/terraform.tfstate" }
    "shop-dev-tf-plan"               = { environment = "dev", github_environment = "dev-plan", purpose = "plan", service = "", state_key = "shop/dev/terraform.tfstate" }
    "shop-prod-deploy-catalog"       = { environment = "prod", github_environment = "prod", purpose = "deploy", service = "catalog", state_key = "shop/prod/terraform.tfstate" }
    "shop-prod-deploy-customers"     = { environment = "prod", github_environment = "prod", purpose = "deploy", service = "customers", state_key = "shop/prod/terraform.tfstate" }
    "shop-prod-deploy-inventory"     = { environment = "prod", github_environment = "prod", purpose = "deploy", service = "inventory", state_key = "shop/prod/terraform.tfstate" }
    "shop-prod-deploy-notifications" = { environment = "prod", github_environment = "prod", purpose = "deploy", service = "notifications", state_key = "shop/prod/terraform.tfstate" }
    "shop-prod-deploy-orders"        = { environment = "prod", github_environment = "prod", purpose = "deploy", service = "orders", state_key = "shop/prod/terraform.tfstate" }
    "shop-prod-deploy-payments"      = { environment = "prod", github_environment = "prod", purpose = "deploy", service = "payments", state_key = "shop/prod/terraform.tfstate" }
    "shop-prod-deploy-shipping"      = { environment = "prod", github_environment = "prod", purpose = "deploy", service = "shipping", state_key = "shop/prod/terraform.tfstate" }
    "shop-prod-tf-apply"             = { environment = "prod", github_environment = "prod", purpose = "apply", service = "", state_key = "shop/prod/terraform.tfstate" }
    "shop-prod-tf-plan"              = { environment = "prod", github_environment = "prod-plan", purpose = "plan", service = "", state_key = "shop/prod/terraform.tfstate" }
  }
}

resource "aws_kms_key" "state" {
  description             = "shop: Terraform state and locks"
  enable_key_rotation     = true
  deletion_window_in_days = 30
  policy                  = data.aws_iam_policy_document.key.json
}

data "aws_iam_policy_document" "key" {
  statement {
    sid       = "AccountAdministers"
    actions   = ["kms:*"]
    resources = ["*"]

    principals {
      type        = "AWS"
      identifiers = ["arn:${local.partition}:iam::${local.account}:root"]
    }
  }
}

resource "aws_kms_alias" "state" {
  name          = "alias/shop-terraform-state"
  target_key_id = aws_kms_key.state.key_id
}

resource "aws_s3_bucket" "state" {
  bucket = local.bucket

  # Every environment's state: never destroyed by accident.
  lifecycle {
    prevent_destroy = true
  }
}

resource "aws_s3_bucket_public_access_block" "state" {
  bucket                  = aws_s3_bucket.state.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_ownership_controls" "state" {
  bucket = aws_s3_bucket.state.id

  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

# Versions let a broken state be restored from the one before it.
resource "aws_s3_bucket_versioning" "state" {
  bucket = aws_s3_bucket.state.id

  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "state" {
  bucket = aws_s3_bucket.state.id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.state.arn
    }
    bucket_key_enabled = true
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "state" {
  bucket = aws_s3_bucket.state.id

  rule {
    id     = "expire-old-state-versions"
    status = "Enabled"

    filter {}

    noncurrent_version_expiration {
      noncurrent_days = var.state_version_retention_days
    }

    abort_incomplete_multipart_upload {
      days_after_initiation = 7
    }
  }
}

data "aws_iam_policy_document" "state_bucket" {
  statement {
    sid       = "TlsOnly"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = [aws_s3_bucket.state.arn, "${aws_s3_bucket.state.arn}/*"]

    principals {
      type        = "*"
      identifiers = ["*"]
    }

    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
}

resource "aws_s3_bucket_policy" "state" {
  bucket     = aws_s3_bucket.state.id
  policy     = data.aws_iam_policy_document.state_bucket.json
  depends_on = [aws_s3_bucket_public_access_block.state]
}

resource "aws_dynamodb_table" "locks" {
  name                        = "shop-terraform-locks"
  billing_mode                = "PAY_PER_REQUEST"
  hash_key                    = "LockID"
  deletion_protection_enabled = true

  attribute {
    name = "LockID"
    type = "S"
  }

  point_in_time_recovery {
    enabled = true
  }

  server_side_encryption {
    enabled     = true
    kms_key_arn = aws_kms_key.state.arn
  }
}

# GitHub Actions' identity provider: a job proves which repository, and which GitHub
# environment, it runs for; no long-lived AWS key is stored in GitHub.
resource "aws_iam_openid_connect_provider" "github" {
  url            = "https://token.actions.githubusercontent.com"
  client_id_list = ["sts.amazonaws.com"]
  # AWS trusts GitHub's certificate authority itself and ignores these; the API requires one.
  thumbprint_list = ["6938fd4d98bab03faadb97b34396831e3780aea1", "1c58a3a8518e8759bf075b76b750d4d2df264fcd"]
}

# Only jobs of this repository that run in the role's GitHub environment: `prod` roles are
# out of reach until a required reviewer approves the job.
data "aws_iam_policy_document" "trust" {
  for_each = local.roles

  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]

    principals {
      type        = "Federated"
      identifiers = [aws_iam_openid_connect_provider.github.arn]
    }

    condition {
      test     = "StringEquals"
      variable = "${local.oidc_host}:aud"
      values   = ["sts.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "${local.oidc_host}:sub"
      values   = ["repo:${var.github_repository}:environment:${each.value.github_environment}"]
    }
  }
}

resource "aws_iam_role" "pipeline" {
  for_each             = local.roles
  name                 = each.key
  assume_role_policy   = data.aws_iam_policy_document.trust[each.key].json
  max_session_duration = 3600
}

# Plan: read everything, and hold the lock of its environment's state while planning.
resource "aws_iam_role_policy_attachment" "plan_reads" {
  for_each   = { for name, role in local.roles : name => role if role.purpose == "plan" }
  role       = aws_iam_role.pipeline[each.key].name
  policy_arn = "arn:${local.partition}:iam::aws:policy/ReadOnlyAccess"
}

# Apply: create and change the environment's resources, but IAM only for the names of that
# environment (`<project>-<environment>-*`), so it cannot grant itself more.
resource "aws_iam_role_policy_attachment" "apply_builds" {
  for_each   = { for name, role in local.roles : name => role if role.purpose == "apply" }
  role       = aws_iam_role.pipeline[each.key].name
  policy_arn = "arn:${local.partition}:iam::aws:policy/PowerUserAccess"
}

data "aws_iam_policy_document" "apply_iam" {
  for_each = { for name, role in local.roles : name => role if role.purpose == "apply" }

  statement {
    sid = "EnvironmentRoles"
    actions = [
      "iam:AddRoleToInstanceProfile", "iam:AttachRolePolicy", "iam:CreateInstanceProfile",
      "iam:CreateRole", "iam:DeleteInstanceProfile", "iam:DeleteRole", "iam:DeleteRolePolicy",
      "iam:DetachRolePolicy", "iam:GetInstanceProfile", "iam:GetRole", "iam:GetRolePolicy",
      "iam:ListAttachedRolePolicies", "iam:ListInstanceProfilesForRole", "iam:ListRolePolicies",
      "iam:PassRole", "iam:PutRolePolicy", "iam:RemoveRoleFromInstanceProfile", "iam:TagRole",
      "iam:UntagRole", "iam:UpdateAssumeRolePolicy", "iam:TagInstanceProfile",
    ]
    resources = [
      "arn:${local.partition}:iam::${local.account}:role/shop-${each.value.environment}-*",
      "arn:${local.partition}:iam::${local.account}:instance-profile/shop-${each.value.environment}-*",
    ]
  }

  statement {
    sid       = "ServiceLinkedRoles"
    actions   = ["iam:CreateServiceLinkedRole"]
    resources = ["arn:${local.partition}:iam::${local.account}:role/aws-service-role/*"]
  }
}

resource "aws_iam_role_policy" "apply_iam" {
  for_each = data.aws_iam_policy_document.apply_iam
  name     = "environment-iam"
  role     = aws_iam_role.pipeline[each.key].name
  policy   = each.value.json
}

# Plan and apply: their environment's state object only, and the lock table.
data "aws_iam_policy_document" "state" {
  for_each = { for name, role in local.roles : name => role if role.purpose != "deploy" }

  statement {
    sid       = "ListState"
    actions   = ["s3:ListBucket"]
    resources = [aws_s3_bucket.state.arn]
  }

  statement {
    sid       = "ReadWriteState"
    actions   = each.value.purpose == "apply" ? ["s3:GetObject", "s3:PutObject"] : ["s3:GetObject"]
    resources = ["${aws_s3_bucket.state.arn}/${each.value.state_key}"]
  }

  statement {
    sid       = "Lock"
    actions   = ["dynamodb:DescribeTable", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem"]
    resources = [aws_dynamodb_table.locks.arn]
  }

  statement {
    sid       = "StateKey"
    actions   = ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"]
    resources = [aws_kms_key.state.arn]
  }
}

resource "aws_iam_role_policy" "state" {
  for_each = data.aws_iam_policy_document.state
  name     = "terraform-state"
  role     = aws_iam_role.pipeline[each.key].name
  policy   = each.value.json
}

# Deploy: push one service's image, record its tag, add a launch template version that runs
# it, point the service's group at that version and roll the group (infra/README.md, "Deploys
# and rollbacks"). Every write is on that one service's resources of that one environment.
data "aws_iam_policy_document" "deploy" {
  for_each = { for name, role in local.roles : name => role if role.purpose == "deploy" }

  statement {
    sid       = "EcrLogin"
    actions   = ["ecr:GetAuthorizationToken"]
    resources = ["*"]
  }

  statement {
    sid = "PushImage"
    actions = [
      "ecr:BatchCheckLayerAvailability", "ecr:CompleteLayerUpload", "ecr:DescribeImages",
      "ecr:InitiateLayerUpload", "ecr:PutImage", "ecr:UploadLayerPart",
    ]
    resources = ["arn:${local.partition}:ecr:${var.region}:${local.account}:repository/shop-${each.value.environment}-${each.value.service}"]
  }

  statement {
    sid       = "RecordImageTag"
    actions   = ["ssm:PutParameter"]
    resources = ["arn:${local.partition}:ssm:${var.region}:${local.account}:parameter/services/shop-${each.value.environment}-${each.value.service}/image-tag"]
  }

  # The launch template's ID is not known here: it is the one tagged with the service's name.
  statement {
    sid       = "AddLaunchTemplateVersion"
    actions   = ["ec2:CreateLaunchTemplateVersion"]
    resources = ["arn:${local.partition}:ec2:${var.region}:${local.account}:launch-template/*"]

    condition {
      test     = "StringEquals"
      variable = "aws:ResourceTag/Name"
      values   = ["shop-${each.value.environment}-${each.value.service}"]
    }
  }

  statement {
    sid       = "PointAndRollGroup"
    actions   = ["autoscaling:UpdateAutoScalingGroup", "autoscaling:StartInstanceRefresh"]
    resources = ["arn:${local.partition}:autoscaling:${var.region}:${local.account}:autoScalingGroup:*:autoScalingGroupName/shop-${each.value.environment}-${each.value.service}"]
  }

  # Auto Scaling checks that whoever points a group at a launch template version could launch
  # it: run instances from a launch template, tag them, pass the service's instance role.
  statement {
    sid       = "UseLaunchTemplate"
    actions   = ["ec2:RunInstances", "ec2:CreateTags"]
    resources = ["*"]

    condition {
      test     = "ArnLike"
      variable = "ec2:LaunchTemplate"
      values   = ["arn:${local.partition}:ec2:${var.region}:${local.account}:launch-template/*"]
    }
  }

  statement {
    sid       = "PassInstanceRole"
    actions   = ["iam:PassRole"]
    resources = ["arn:${local.partition}:iam::${local.account}:role/shop-${each.value.environment}-${each.value.service}-instance"]

    condition {
      test     = "StringEquals"
      variable = "iam:PassedToService"
      values   = ["ec2.amazonaws.com"]
    }
  }

  # Describe actions take no resource.
  statement {
    sid = "Read"
    actions = [
      "autoscaling:DescribeAutoScalingGroups", "autoscaling:DescribeInstanceRefreshes",
      "ec2:DescribeLaunchTemplateVersions",
    ]
    resources = ["*"]
  }
}

resource "aws_iam_role_policy" "deploy" {
  for_each = data.aws_iam_policy_document.deploy
  name     = "deploy-service"
  role     = aws_iam_role.pipeline[each.key].name
  policy   = each.value.json
}
