# Remote state in S3, one key per environment, locked in DynamoDB: the bucket and the table are
# made once by infra/bootstrap, and `terraform init` names the environment's key with
#   -backend-config=environments/<environment>.s3.tfbackend (see that file).
# State on this machine instead (a first look, a local emulator): an override file,
# e.g. local_override.tf, holding  terraform { backend "local" {} }
terraform {
  backend "s3" {}
}
