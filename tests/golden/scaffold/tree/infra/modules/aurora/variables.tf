variable "name" {
  description = "Cluster identifier (project-environment-service)"
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

variable "database_name" {
  description = "Name of the service's database"
  type        = string
}

variable "vpc_id" {
  description = "VPC of the cluster"
  type        = string
}

variable "subnet_ids" {
  description = "Private subnets of the cluster"
  type        = list(string)
}

variable "client_security_group_id" {
  description = "Security group of the owning service's instances (the only clients)"
  type        = string
}

variable "service_role_name" {
  description = "Instance role of the owning service"
  type        = string
}

variable "kms_key_arn" {
  description = "KMS key of the storage, the credentials and Performance Insights"
  type        = string
}

variable "instance_class" {
  description = "Instance class of the cluster's instances"
  type        = string
}

variable "instance_count" {
  description = "Writer plus readers"
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
