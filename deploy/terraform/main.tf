# rbac-claims as an Auth0 post-login Action, managed with Terraform (see docs/deploy.md).
#
# Build first: `make bundle` writes dist/rbac-claims-action.js, which `code` reads below.
# The auth0 provider reads AUTH0_DOMAIN, AUTH0_CLIENT_ID and AUTH0_CLIENT_SECRET from the environment:
# the credentials of the machine-to-machine application Terraform itself uses (not the one below).
#
# The Action's secrets go in `secrets_wo` blocks: write-only arguments (Terraform >= 1.11, auth0 provider
# >= 1.52.0), sent to Auth0 on create and update but never stored in the Terraform state. Only the secret
# names and `secrets_wo_version` are stored. Write-only values are not compared between runs: after
# changing only a value (e.g. a rotated client secret), raise `secrets_version` by one and keep it there
# (e.g. TF_VAR_secrets_version=2), or the new value is not sent. Adding, renaming or removing a secret is
# applied without it.
#
# Older Terraform or provider: replace each `secrets_wo` block with a `secrets` block of the same name and
# value, drop `secrets_wo_version` and the `secrets_version` variable, and lower the versions required
# below. That form stores every value in plain text in the Terraform state (keep the state private), and
# applies a changed value without a version bump.

terraform {
  required_version = ">= 1.11" # write-only arguments
  required_providers {
    auth0 = {
      source  = "auth0/auth0"
      version = ">= 1.52.0" # the first release whose auth0_action has secrets_wo (runtime node22: 1.11.0)
    }
  }
}

provider "auth0" {}

variable "namespace" {
  description = "Claim namespace: an http(s) URL or a URN, e.g. https://rbac.example.com"
  type        = string
}

variable "domain" {
  description = "Tenant domain for the Management API, e.g. your-tenant.eu.auth0.com"
  type        = string
}

variable "client_id" {
  description = "Client ID of the rbac-claims M2M application (Management API scopes: docs/deploy.md, section 2)"
  type        = string
}

# A saved plan (`terraform plan -out`) holds input variable values. To keep this one out of plan files too,
# add `ephemeral = true`: Terraform then accepts it only in ephemeral contexts such as write-only arguments
# (`secrets_wo`, not `secrets`), and it must be given again when a saved plan is applied.
variable "client_secret" {
  description = "Client secret of the rbac-claims M2M application"
  type        = string
  sensitive   = true
}

variable "secrets_version" {
  description = "Raise by one to send changed secret values to Auth0 (they are write-only, so Terraform cannot see a change)"
  type        = number
  default     = 1
}

variable "options" {
  description = "Optional settings as Action secrets, e.g. { permissionsFor = \"requested\", onError = \"continue\" }"
  type        = map(string)
  default     = {}
}

resource "auth0_action" "rbac_claims" {
  name    = "rbac-claims"
  runtime = "node22"
  deploy  = true
  code    = file("${path.module}/../../dist/rbac-claims-action.js")

  supported_triggers {
    id      = "post-login"
    version = "v3"
  }

  secrets_wo {
    name  = "namespace"
    value = var.namespace
  }

  secrets_wo {
    name  = "domain"
    value = var.domain
  }

  secrets_wo {
    name  = "clientId"
    value = var.client_id
  }

  secrets_wo {
    name  = "clientSecret"
    value = var.client_secret
  }

  dynamic "secrets_wo" {
    for_each = var.options
    content {
      name  = secrets_wo.key
      value = secrets_wo.value
    }
  }

  secrets_wo_version = var.secrets_version
}

# Binds the Action to the Login flow (appended after the Actions already there).
resource "auth0_trigger_action" "rbac_claims" {
  trigger   = "post-login"
  action_id = auth0_action.rbac_claims.id
}

output "action_version_id" {
  description = "The deployed version: note it down to know what to roll back to"
  value       = auth0_action.rbac_claims.version_id
}
