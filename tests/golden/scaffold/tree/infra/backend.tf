# Remote state in S3, one key per environment, locked in DynamoDB: the bucket and the table are
# made once by infra/bootstrap, and `terraform init` names the environment's key with
#   -backend-config=environments/<environment>.s3.tfbackend (see that file).
# Without a backend (a look at the plan on a laptop): terraform init -backend=false.
terraform {
  backend "s3" {}
}
