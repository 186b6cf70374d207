variable "name" {
  description = "Table name (project-environment-service)"
  type        = string
}

variable "service_role_name" {
  description = "Instance role of the owning service"
  type        = string
}

variable "kms_key_arn" {
  description = "KMS key of the table"
  type        = string
}

variable "deletion_protection" {
  description = "Protect the table from deletion"
  type        = bool
}
