variable "region" {
  description = "AWS region of the state bucket, the lock table and the environments"
  type        = string
}

variable "github_repository" {
  description = "owner/name of the GitHub repository whose workflows may assume the roles"
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$", var.github_repository))
    error_message = "Give the repository as owner/name."
  }
}

variable "state_version_retention_days" {
  description = "Days an older version of a state file is kept"
  type        = number
  default     = 90
}
