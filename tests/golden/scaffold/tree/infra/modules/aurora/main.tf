# An Aurora cluster holding the databases of one service (the default) or of every service of
# one engine (shared_database_cluster, for dev): private subnets only, encrypted, backed up.
# RDS keeps the master credentials in Secrets Manager; the services never see them. Each
# service logs in as its own role with an IAM authentication token (rds-db:connect on that
# role only), created once by infra/bootstrap-databases.sh through the RDS Data API.

locals {
  postgres    = var.engine == "aurora-postgresql"
  port        = local.postgres ? 5432 : 3306
  log_exports = local.postgres ? ["postgresql"] : ["audit", "error", "general", "slowquery"]
  serverless  = var.instance_class == "db.serverless"
  # Encrypted connections only (IAM authentication needs TLS); schema changes (the
  # migrations) and statements slower than a second logged.
  parameters = local.postgres ? {
    "rds.force_ssl"              = "1"
    "log_statement"              = "ddl"
    "log_min_duration_statement" = "1000"
    } : {
    "require_secure_transport" = "ON"
    "slow_query_log"           = "1"
    "long_query_time"          = "1"
  }
  one_database = length(var.databases) == 1 ? keys(var.databases)[0] : null
}

data "aws_region" "current" {}

data "aws_caller_identity" "current" {}

resource "aws_db_subnet_group" "this" {
  name       = var.name
  subnet_ids = var.subnet_ids
}

resource "aws_security_group" "this" {
  name        = "${var.name}-db"
  description = "Aurora cluster: the instances of the services whose databases it holds"
  vpc_id      = var.vpc_id

  ingress {
    description     = "From the owning services"
    from_port       = local.port
    to_port         = local.port
    protocol        = "tcp"
    security_groups = [for database in var.databases : database.security_group_id]
  }
}

# A cluster parameter group of its own: the engine's defaults cannot be changed, and a
# setting changed later should not need a new cluster.
resource "aws_rds_cluster_parameter_group" "this" {
  name        = var.name
  family      = var.parameter_group_family
  description = "Aurora ${var.engine} of ${var.name}"

  dynamic "parameter" {
    for_each = local.parameters

    content {
      name         = parameter.key
      value        = parameter.value
      apply_method = "pending-reboot"
    }
  }
}

resource "aws_rds_cluster" "this" {
  cluster_identifier                  = var.name
  engine                              = var.engine
  engine_mode                         = "provisioned"
  engine_version                      = var.engine_version
  allow_major_version_upgrade         = false
  db_cluster_parameter_group_name     = aws_rds_cluster_parameter_group.this.name
  database_name                       = local.one_database
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
  # The RDS Data API: how bootstrap-databases.sh creates each service's database and role
  # without a network path into the VPC.
  enable_http_endpoint            = var.enable_data_api
  enabled_cloudwatch_logs_exports = local.log_exports
  db_subnet_group_name            = aws_db_subnet_group.this.name
  vpc_security_group_ids          = [aws_security_group.this.id]

  # Aurora Serverless v2: capacity follows the load between min and max ACUs; a minimum of 0
  # pauses an idle cluster after seconds_until_auto_pause (Aurora PostgreSQL 13.15, 14.12,
  # 15.7, 16.3 and Aurora MySQL 3.08 or newer: "Scaling to zero ACUs with automatic pause and
  # resume for Aurora Serverless v2", Aurora User Guide).
  dynamic "serverlessv2_scaling_configuration" {
    for_each = local.serverless ? [1] : []

    content {
      min_capacity             = var.min_capacity
      max_capacity             = var.max_capacity
      seconds_until_auto_pause = var.min_capacity == 0 ? 900 : null
    }
  }
}

resource "aws_rds_cluster_instance" "this" {
  count = var.instance_count

  identifier                            = "${var.name}-${count.index}"
  cluster_identifier                    = aws_rds_cluster.this.id
  engine                                = aws_rds_cluster.this.engine
  engine_version                        = aws_rds_cluster.this.engine_version
  instance_class                        = var.instance_class
  db_subnet_group_name                  = aws_db_subnet_group.this.name
  publicly_accessible                   = false
  auto_minor_version_upgrade            = true
  performance_insights_enabled          = true
  performance_insights_kms_key_id       = var.kms_key_arn
  performance_insights_retention_period = 7
}

# Each service may log in as its own database role, and as nothing else.
data "aws_iam_policy_document" "connect" {
  for_each = var.databases

  statement {
    sid       = "ConnectAsOwnRole"
    actions   = ["rds-db:connect"]
    resources = ["arn:aws:rds-db:${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}:dbuser:${aws_rds_cluster.this.cluster_resource_id}/${each.value.user}"]
  }
}

resource "aws_iam_role_policy" "connect" {
  for_each = var.databases

  name   = "database"
  role   = each.value.role_name
  policy = data.aws_iam_policy_document.connect[each.key].json
}

# Alarms: CPU, connections, and memory (provisioned) or capacity (Serverless v2).
resource "aws_cloudwatch_metric_alarm" "cpu" {
  alarm_name          = "${var.name}-db-cpu"
  alarm_description   = "CPU of the ${var.name} database above 80%"
  namespace           = "AWS/RDS"
  metric_name         = "CPUUtilization"
  statistic           = "Average"
  period              = 300
  evaluation_periods  = 3
  threshold           = 80
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  dimensions          = { DBClusterIdentifier = aws_rds_cluster.this.cluster_identifier }
  alarm_actions       = var.alarm_actions
  ok_actions          = var.alarm_actions
}

resource "aws_cloudwatch_metric_alarm" "connections" {
  alarm_name          = "${var.name}-db-connections"
  alarm_description   = "More than ${var.max_connections_alarm} connections to the ${var.name} database"
  namespace           = "AWS/RDS"
  metric_name         = "DatabaseConnections"
  statistic           = "Maximum"
  period              = 300
  evaluation_periods  = 2
  threshold           = var.max_connections_alarm
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  dimensions          = { DBClusterIdentifier = aws_rds_cluster.this.cluster_identifier }
  alarm_actions       = var.alarm_actions
  ok_actions          = var.alarm_actions
}

resource "aws_cloudwatch_metric_alarm" "capacity" {
  count = local.serverless ? 1 : 0

  alarm_name          = "${var.name}-db-capacity"
  alarm_description   = "The ${var.name} database uses over 90% of its maximum ACUs: raise db_max_capacity"
  namespace           = "AWS/RDS"
  metric_name         = "ACUUtilization"
  statistic           = "Average"
  period              = 300
  evaluation_periods  = 3
  threshold           = 90
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  dimensions          = { DBClusterIdentifier = aws_rds_cluster.this.cluster_identifier }
  alarm_actions       = var.alarm_actions
  ok_actions          = var.alarm_actions
}

resource "aws_cloudwatch_metric_alarm" "memory" {
  count = local.serverless ? 0 : 1

  alarm_name          = "${var.name}-db-memory"
  alarm_description   = "Less than 256 MiB of memory left on an instance of the ${var.name} database"
  namespace           = "AWS/RDS"
  metric_name         = "FreeableMemory"
  statistic           = "Minimum"
  period              = 300
  evaluation_periods  = 3
  threshold           = 268435456
  comparison_operator = "LessThanThreshold"
  treat_missing_data  = "notBreaching"
  dimensions          = { DBClusterIdentifier = aws_rds_cluster.this.cluster_identifier }
  alarm_actions       = var.alarm_actions
  ok_actions          = var.alarm_actions
}
