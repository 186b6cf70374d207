variable "name" {
  description = "Prefix of every resource name (project-environment)"
  type        = string
}

variable "region" {
  description = "AWS region of the key"
  type        = string
}
