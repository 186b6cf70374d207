variable "name" {
  description = "Cluster identifier (project-environment-service, or project-environment-engine)"
  type        = string
}

variable "engine" {
  description = "aurora-postgresql or aurora-mysql"
  type        = string

  validation {
    condition     = contains(["aurora-postgresql", "aurora-mysql"], var.engine)
    error_message = "The engine must be aurora-postgresql or aurora-mysql."
  }
}

variable "engine_version" {
  description = "Pinned engine version: upgrades are deliberate"
  type        = string
}

variable "parameter_group_family" {
  description = "Family of the cluster parameter group (aurora-postgresql16, aurora-mysql8.0)"
  type        = string
}

variable "databases" {
  description = "The databases it holds, by name: each service's login role, instances' security group and instance role"
  type = map(object({
    user              = string
    security_group_id = string
    role_name         = string
  }))
}

variable "vpc_id" {
  description = "VPC of the cluster"
  type        = string
}

variable "subnet_ids" {
  description = "Private subnets of the cluster"
  type        = list(string)
}

variable "kms_key_arn" {
  description = "KMS key of the storage, the credentials and Performance Insights"
  type        = string
}

variable "instance_class" {
  description = "db.serverless (Aurora Serverless v2), or a provisioned instance class"
  type        = string
}

variable "instance_count" {
  description = "Writer plus readers"
  type        = number
}

variable "min_capacity" {
  description = "Serverless v2: fewest ACUs (0 pauses the cluster when idle)"
  type        = number
}

variable "max_capacity" {
  description = "Serverless v2: most ACUs"
  type        = number
}

variable "backup_retention_days" {
  description = "Days of automated backups"
  type        = number
}

variable "deletion_protection" {
  description = "Protect the cluster from deletion"
  type        = bool
}

variable "enable_data_api" {
  description = "Turn on the RDS Data API (bootstrap-databases.sh; off against emulators without it)"
  type        = bool
}

variable "max_connections_alarm" {
  description = "Connections alarm: more than this many"
  type        = number
}

variable "alarm_actions" {
  description = "ARNs the database's alarms notify (the alarm topic)"
  type        = list(string)
}
