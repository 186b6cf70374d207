# The owning service's relational database: private subnets only, encrypted, backed up, and
# master credentials kept by RDS in Secrets Manager.

locals {
  port        = var.engine == "aurora-postgresql" ? 5432 : 3306
  log_exports = var.engine == "aurora-postgresql" ? ["postgresql"] : ["audit", "error", "general", "slowquery"]
}

data "aws_region" "current" {}

data "aws_caller_identity" "current" {}

resource "aws_db_subnet_group" "this" {
  name       = var.name
  subnet_ids = var.subnet_ids
}

resource "aws_security_group" "this" {
  name        = "${var.name}-db"
  description = "Database of one service: its instances only"
  vpc_id      = var.vpc_id

  ingress {
    description     = "From the owning service"
    from_port       = local.port
    to_port         = local.port
    protocol        = "tcp"
    security_groups = [var.client_security_group_id]
  }
}

resource "aws_rds_cluster" "this" {
  cluster_identifier                  = var.name
  engine                              = var.engine
  database_name                       = var.database_name
  master_username                     = "service_admin"
  manage_master_user_password         = true
  master_user_secret_kms_key_id       = var.kms_key_arn
  storage_encrypted                   = true
  kms_key_id                          = var.kms_key_arn
  backup_retention_period             = var.backup_retention_days
  preferred_backup_window             = "03:00-04:00"
  copy_tags_to_snapshot               = true
  deletion_protection                 = var.deletion_protection
  skip_final_snapshot                 = false
  final_snapshot_identifier           = "${var.name}-final"
  iam_database_authentication_enabled = true
  enabled_cloudwatch_logs_exports     = local.log_exports
  db_subnet_group_name                = aws_db_subnet_group.this.name
  vpc_security_group_ids              = [aws_security_group.this.id]
}

resource "aws_rds_cluster_instance" "this" {
  count = var.instance_count

  identifier                            = "${var.name}-${count.index}"
  cluster_identifier                    = aws_rds_cluster.this.id
  engine                                = aws_rds_cluster.this.engine
  instance_class                        = var.instance_class
  db_subnet_group_name                  = aws_db_subnet_group.this.name
  publicly_accessible                   = false
  auto_minor_version_upgrade            = true
  performance_insights_enabled          = true
  performance_insights_kms_key_id       = var.kms_key_arn
  performance_insights_retention_period = 7
}

data "aws_iam_policy_document" "access" {
  statement {
    sid       = "ConnectWithIam"
    actions   = ["rds-db:connect"]
    resources = ["arn:aws:rds-db:${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}:dbuser:${aws_rds_cluster.this.cluster_resource_id}/*"]
  }

  dynamic "statement" {
    for_each = aws_rds_cluster.this.master_user_secret

    content {
      sid       = "ReadCredentials"
      actions   = ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"]
      resources = [statement.value.secret_arn]
    }
  }

  statement {
    sid       = "DecryptCredentials"
    actions   = ["kms:Decrypt"]
    resources = [var.kms_key_arn]
  }
}

resource "aws_iam_role_policy" "access" {
  name   = "database"
  role   = var.service_role_name
  policy = data.aws_iam_policy_document.access.json
}
