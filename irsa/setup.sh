#!/usr/bin/env bash
# Give the cronjob-rds-snapshot service account its AWS permissions.
#
# Creates the IAM policy (irsa/snapshotpolicy.json) and an IAM role with that
# policy, then binds the role to the Kubernetes service account, either with
# IRSA (default: OIDC provider + eksctl) or with EKS Pod Identity
# (--pod-identity). Safe to re-run: every step checks before it creates.
# It ends by printing the block to paste into deploy/settings/kustomization.yaml:
# the namespace, the role ARN (IRSA) and the AWS region of the jobs.
#
# The ServiceAccount object itself belongs to the kustomization (see
# irsa/README.md, "Who owns the service account"); by default eksctl only makes
# the IAM role (--role-only).
#
# With --pod-identity, an existing role is kept but its trust policy is set to
# trust-pod-identity.json (a role the IRSA path made trusts only the OIDC
# provider, and Pod Identity could not assume it). The script also checks the
# two Pod Identity prerequisites it can see: the eks-pod-identity-agent add-on
# (installed when missing; not needed on EKS Auto Mode) and
# eks-auth:AssumeRoleForPodIdentity on the role of each managed node group.
#
# With --export it does the export side instead (export-snapshots, see the
# README, "Export to S3"): it creates the role RDS assumes to write exports to
# the bucket (export-role-trust.json, export-role-policy.json), creates the
# policy exportpolicy.json and attaches it to the jobs' role (which must exist:
# run setup.sh without --export first), and prints the env block to paste into
# export-snapshots/cronjob.yaml. The bucket and the KMS key are yours to create
# first (README commands); their names go in EXPORT_BUCKET and KMS_KEY_ARN.
#
# With --copy it does the copy side (copy-snapshots, see the README, "Copies in
# other regions"): it creates the policy copypolicy.json, attaches it to the
# jobs' role (which must exist: run setup.sh without --copy first), and prints
# the patch (5) for deploy/settings/kustomization.yaml that sets
# DEFAULT_COPY_REGIONS for copy-snapshots and delete-snapshots alike.
#
# Usage:
#   CLUSTER=my-cluster REGION=eu-north-1 irsa/setup.sh [options]
#   REGION=eu-north-1 EXPORT_BUCKET=my-rds-exports KMS_KEY_ARN=arn:aws:kms:... irsa/setup.sh --export
#   REGION=eu-north-1 COPY_REGIONS="eu-west-1 us-east-1" irsa/setup.sh --copy
#
# Environment:
#   CLUSTER          EKS cluster name (required)
#   REGION           AWS region of the cluster and of the databases (required;
#                    default: $AWS_REGION, else $AWS_DEFAULT_REGION)
#   NAMESPACE        namespace of the CronJobs (default: rds-snapshots)
#   ACCOUNT          AWS account id (default: from `aws sts get-caller-identity`)
#   POLICY_NAME      IAM policy name (default: rds-snapshot-policy)
#   ROLE_NAME        IAM role name (default: rds-snapshot-cronjobs)
#   SNAPSHOT_PREFIX  must equal the jobs' SNAPSHOT_PREFIX (default: cronsnap)
#   UPDATE_POLICY    1 = if the policy exists, make this file its new default
#                    version (IAM keeps at most 5 versions; delete old ones)
#
# Environment for --export (CLUSTER is not needed):
#   EXPORT_BUCKET    the S3 bucket exports go to, in REGION (required)
#   KMS_KEY_ARN      ARN of the symmetric customer managed key, in REGION (required)
#   EXPORT_PREFIX    key prefix in the bucket (default: rds-exports)
#   EXPORT_ROLE_NAME the role RDS assumes to write there (default: rds-s3-export)
#   EXPORT_POLICY_NAME
#                    the policy attached to ROLE_NAME (default: rds-snapshot-export-policy)
#
# Environment for --copy (CLUSTER is not needed):
#   COPY_REGIONS     space-separated regions copies go to, not REGION (required)
#   COPY_POLICY_NAME the policy attached to ROLE_NAME (default: rds-snapshot-copy-policy)
#
# Options:
#   --pod-identity   use EKS Pod Identity instead of IRSA
#   --eksctl-owns-service-account
#                    IRSA the way the original write-up did it: eksctl creates
#                    and annotates the ServiceAccount itself. Then remove irsa
#                    from the resources of kustomization.yaml, or the two will
#                    fight over it.
#   --legacy-policy  attach irsa/snapshotpolicy-legacy.json (deletes expired
#                    snapshots of any name; see irsa/README.md)
#   --export         the export side: the export role, exportpolicy.json on
#                    ROLE_NAME, and the env block for export-snapshots
#   --copy           the copy side: copypolicy.json on ROLE_NAME, and the
#                    DEFAULT_COPY_REGIONS patch for deploy/settings
#   --dry-run        print the commands instead of running them (PRINT_ONLY=1
#                    does the same)
#   -h, --help       show this help
#
# Exit codes:
#   0  done (a prerequisite it could not check is reported, not fatal)
#   1  done, but a Pod Identity prerequisite is clearly broken (the add-on has
#      failed, or a node role is denied eks-auth:AssumeRoleForPodIdentity):
#      pods get no credentials until it is fixed; the message says how
#   2  bad settings; nothing was changed
set -euo pipefail

SERVICE_ACCOUNT=cronjob-rds-snapshot
SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

usage() {
  sed -n '2,/^set -euo pipefail/p' "${BASH_SOURCE[0]}" | sed '$d' | sed 's/^# \{0,1\}//'
}

die() {
  printf 'setup.sh: %s\n' "$*" >&2
  exit 2
}

MODE=irsa
EKSCTL_OWNS_SA=false
POLICY_FILE=snapshotpolicy.json
DRY_RUN=false
[[ -n "${PRINT_ONLY:-}" && "${PRINT_ONLY}" != 0 && "${PRINT_ONLY}" != false ]] && DRY_RUN=true

while (($#)); do
  case "$1" in
    --pod-identity) MODE=pod-identity ;;
    --eksctl-owns-service-account) EKSCTL_OWNS_SA=true ;;
    --legacy-policy) POLICY_FILE=snapshotpolicy-legacy.json ;;
    --export) MODE=export ;;
    --copy) MODE=copy ;;
    --dry-run) DRY_RUN=true ;;
    -h | --help) usage; exit 0 ;;
    *) die "unknown option '$1' (try --help)" ;;
  esac
  shift
done

[[ "$MODE" == pod-identity && "$EKSCTL_OWNS_SA" == true ]] &&
  die "--eksctl-owns-service-account is for IRSA only, not with --pod-identity"
[[ ("$MODE" == export || "$MODE" == copy) && ("$EKSCTL_OWNS_SA" == true || "$POLICY_FILE" != snapshotpolicy.json) ]] &&
  die "--$MODE sets up ${MODE}ing only; run setup.sh without it for the service account's role"

CLUSTER=${CLUSTER:-}
NAMESPACE=${NAMESPACE:-rds-snapshots}
# No built-in default: a region guessed here would be pasted into the jobs'
# settings, and jobs pointed at the wrong region find no databases.
REGION=${REGION:-${AWS_REGION:-${AWS_DEFAULT_REGION:-}}}
ACCOUNT=${ACCOUNT:-}
POLICY_NAME=${POLICY_NAME:-rds-snapshot-policy}
ROLE_NAME=${ROLE_NAME:-rds-snapshot-cronjobs}
SNAPSHOT_PREFIX=${SNAPSHOT_PREFIX:-cronsnap}

if [[ "$MODE" != export && "$MODE" != copy ]]; then
  [[ -n "$CLUSTER" ]] || die "CLUSTER is not set: CLUSTER=my-cluster $0"
  [[ "$CLUSTER" =~ ^[0-9A-Za-z][A-Za-z0-9_-]*$ ]] ||
    die "CLUSTER must be an EKS cluster name (letters, digits, - and _), got '$CLUSTER'"
fi
[[ -n "$REGION" ]] ||
  die "REGION is not set (nor AWS_REGION, AWS_DEFAULT_REGION): REGION=eu-north-1 $0, the region of the cluster and the databases"
[[ "$REGION" =~ ^[a-z]{2}(-[a-z]+)+-[0-9]{1,2}$ ]] ||
  die "REGION must be an AWS region such as eu-north-1, got '$REGION'"
[[ "$NAMESPACE" =~ ^[a-z0-9]([-a-z0-9]*[a-z0-9])?$ ]] ||
  die "NAMESPACE must be a Kubernetes namespace name, got '$NAMESPACE'"
[[ "$SNAPSHOT_PREFIX" =~ ^[a-z][a-z0-9]*(-[a-z0-9]+)*$ ]] ||
  die "SNAPSHOT_PREFIX must start with a letter and hold only a-z, 0-9 and single hyphens, got '$SNAPSHOT_PREFIX'"
[[ -z "$ACCOUNT" || "$ACCOUNT" =~ ^[0-9]{12}$ ]] ||
  die "ACCOUNT must be a 12-digit AWS account id, got '$ACCOUNT'"

# Print a command, then run it (or only print it with --dry-run).
run() {
  printf '+'
  printf ' %q' "$@"
  printf '\n'
  if [[ "$DRY_RUN" == false ]]; then "$@"; fi
}

# A read-only look-up. In --dry-run it is printed and yields $1 (a stand-in).
query() {
  local stand_in=$1
  shift
  if [[ "$DRY_RUN" == true ]]; then
    printf '+' >&2
    printf ' %q' "$@" >&2
    printf '\n' >&2
    printf '%s\n' "$stand_in"
    return 0
  fi
  "$@"
}

# A check whose failure means "missing". In --dry-run it is printed and fails,
# so every create step shows.
exists() {
  if [[ "$DRY_RUN" == true ]]; then
    printf '+'
    printf ' %q' "$@"
    printf '   # dry run: assumed missing\n'
    return 1
  fi
  "$@" >/dev/null 2>&1
}

# Like exists, but prints what the look-up found (on stdout, for $(...)).
lookup() {
  if [[ "$DRY_RUN" == true ]]; then
    printf '+' >&2
    printf ' %q' "$@" >&2
    printf '   # dry run: assumed missing\n' >&2
    return 1
  fi
  "$@" 2>/dev/null
}

# Prerequisites that are clearly broken: reported at the end, exit code 1.
PROBLEMS=()
problem() {
  PROBLEMS+=("$*")
  printf '# PROBLEM: %s\n' "$*"
}

# The managed policy $1 (ARN $2) from the document $3 (file://...): created when missing; when
# it exists, left as it is unless UPDATE_POLICY=1 makes the document its default version. $4:
# the command to re-run for that.
ensure_policy() {
  local name=$1 arn=$2 doc=$3 rerun=$4
  if exists aws iam get-policy --policy-arn "$arn"; then
    echo "# policy exists: $arn"
    if [[ "${UPDATE_POLICY:-0}" == 1 ]]; then
      run aws iam create-policy-version --policy-arn "$arn" --policy-document "$doc" --set-as-default
    else
      echo "# left as it is; UPDATE_POLICY=1 $rerun replaces it with ${doc##*/}"
    fi
  else
    run aws iam create-policy --policy-name "$name" --policy-document "$doc"
  fi
}

EXPORT_BUCKET=${EXPORT_BUCKET:-}
KMS_KEY_ARN=${KMS_KEY_ARN:-}
EXPORT_PREFIX=${EXPORT_PREFIX:-rds-exports}
EXPORT_ROLE_NAME=${EXPORT_ROLE_NAME:-rds-s3-export}
EXPORT_POLICY_NAME=${EXPORT_POLICY_NAME:-rds-snapshot-export-policy}
KMS_KEY_ACCOUNT=""
if [[ "$MODE" == export ]]; then
  [[ -n "$EXPORT_BUCKET" ]] || die "EXPORT_BUCKET is not set: the S3 bucket exports go to (the README, \"Export to S3\", shows how to create it)"
  [[ "$EXPORT_BUCKET" =~ ^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$ ]] ||
    die "EXPORT_BUCKET must be an S3 bucket name (3 to 63 lowercase letters, digits, dots and hyphens), got '$EXPORT_BUCKET'"
  [[ -n "$KMS_KEY_ARN" ]] || die "KMS_KEY_ARN is not set: the ARN of the symmetric customer managed key exports are encrypted with"
  [[ "$KMS_KEY_ARN" =~ ^arn:aws[a-z-]*:kms:([a-z0-9-]+):([0-9]{12}):key/([0-9a-f-]{36}|mrk-[0-9a-f]{32})$ ]] ||
    die "KMS_KEY_ARN must be a key ARN such as arn:aws:kms:eu-north-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab, got '$KMS_KEY_ARN'"
  [[ "${BASH_REMATCH[1]}" == "$REGION" ]] ||
    die "KMS_KEY_ARN is a key in ${BASH_REMATCH[1]}: the key must be in REGION ($REGION), the region of the snapshots"
  KMS_KEY_ACCOUNT=${BASH_REMATCH[2]}
  [[ "$EXPORT_PREFIX" =~ ^[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*$ ]] ||
    die "EXPORT_PREFIX must be letters, digits, _ . - separated by single /, got '$EXPORT_PREFIX'"
  [[ "$EXPORT_ROLE_NAME" =~ ^[A-Za-z0-9+=,.@_-]{1,64}$ ]] || die "EXPORT_ROLE_NAME must be an IAM role name, got '$EXPORT_ROLE_NAME'"
fi

COPY_REGIONS=${COPY_REGIONS:-}
COPY_POLICY_NAME=${COPY_POLICY_NAME:-rds-snapshot-copy-policy}
if [[ "$MODE" == copy ]]; then
  read -r -a COPY_REGION_LIST <<<"$COPY_REGIONS"
  ((${#COPY_REGION_LIST[@]} > 0)) ||
    die "COPY_REGIONS is not set: the space-separated regions copies go to, such as COPY_REGIONS=\"eu-west-1 us-east-1\""
  for copy_region in "${COPY_REGION_LIST[@]}"; do
    [[ "$copy_region" =~ ^[a-z]{2}(-[a-z]+)+-[0-9]{1,2}$ ]] ||
      die "COPY_REGIONS must be space-separated AWS regions such as \"eu-west-1 us-east-1\", got '$copy_region'"
    [[ "$copy_region" != "$REGION" ]] || die "COPY_REGIONS names $REGION, the databases' own region: copies go to other regions"
  done
  COPY_REGIONS="${COPY_REGION_LIST[*]}"
  [[ "$COPY_POLICY_NAME" =~ ^[A-Za-z0-9+=,.@_-]{1,128}$ ]] || die "COPY_POLICY_NAME must be an IAM policy name, got '$COPY_POLICY_NAME'"
fi

if [[ "$DRY_RUN" == false ]]; then
  for tool in aws $([[ "$MODE" == irsa ]] && echo eksctl); do
    command -v "$tool" >/dev/null 2>&1 || die "'$tool' is not installed"
  done
fi

if [[ -z "$ACCOUNT" ]]; then
  ACCOUNT=$(query 123456789012 aws sts get-caller-identity --query Account --output text)
fi
POLICY_ARN="arn:aws:iam::${ACCOUNT}:policy/${POLICY_NAME}"
ROLE_ARN="arn:aws:iam::${ACCOUNT}:role/${ROLE_NAME}"

WORK_DIR=$(mktemp -d)
trap 'rm -rf "$WORK_DIR"' EXIT

cd "$SCRIPT_DIR"

# The block to paste into deploy/settings/kustomization.yaml: the namespace and
# its patches: (2) the IRSA role ARN, only when $1 is "with-role-arn", and
# (3) the AWS region. Same shape as the shipped file (test/deploy checks it).
print_settings_block() {
  printf 'namespace: %s\n' "$NAMESPACE"
  printf 'patches:\n'
  if [[ "$1" == with-role-arn ]]; then
    cat <<EOF
  # (2) IRSA: the IAM role the service account assumes.
  - target:
      kind: ServiceAccount
      name: ${SERVICE_ACCOUNT}
    patch: |-
      apiVersion: v1
      kind: ServiceAccount
      metadata:
        name: ${SERVICE_ACCOUNT}
        annotations:
          eks.amazonaws.com/role-arn: ${ROLE_ARN}
EOF
  fi
  cat <<EOF
  # (3) AWS region of your databases, for every job: the one place it is set.
  - target:
      kind: CronJob
    patch: |-
      - op: add
        path: /spec/jobTemplate/spec/template/spec/containers/0/env/0
        value:
          name: AWS_REGION
          value: ${REGION}
EOF
}

# --- --export: the export role, the export policy, the env block ------------
if [[ "$MODE" == export ]]; then
  EXPORT_ROLE_ARN="arn:aws:iam::${ACCOUNT}:role/${EXPORT_ROLE_NAME}"
  EXPORT_POLICY_ARN="arn:aws:iam::${ACCOUNT}:policy/${EXPORT_POLICY_NAME}"
  echo "# account=${ACCOUNT} region=${REGION} bucket=${EXPORT_BUCKET} prefix=${EXPORT_PREFIX} key=${KMS_KEY_ARN}"
  [[ "$KMS_KEY_ACCOUNT" == "$ACCOUNT" ]] ||
    echo "# note: the key is in account ${KMS_KEY_ACCOUNT}, the roles in ${ACCOUNT}: its key policy must allow both roles (README, \"Export to S3\")"
  # Fill in the placeholders of the three documents (the key ARN as a whole,
  # the snapshot prefix in the ARNs StartExportTask may name).
  render() {
    sed -e "s|arn:aws:kms:REGION:ACCOUNT_ID:key/KMS_KEY_ID|${KMS_KEY_ARN}|g" \
      -e "s|ACCOUNT_ID|${ACCOUNT}|g" -e "s|:REGION:|:${REGION}:|g" \
      -e "s|EXPORT_ROLE_NAME|${EXPORT_ROLE_NAME}|g" -e "s|EXPORT_BUCKET|${EXPORT_BUCKET}|g" \
      -e "s|EXPORT_PREFIX|${EXPORT_PREFIX}|g" -e "s|:cronsnap-\*|:${SNAPSHOT_PREFIX}-*|g" \
      "$1" >"$WORK_DIR/$1"
    if [[ "$DRY_RUN" == true ]]; then
      echo "# $1 as it will be sent:"
      sed 's/^/#   /' "$WORK_DIR/$1"
    fi
  }
  render export-role-trust.json
  render export-role-policy.json
  render exportpolicy.json

  echo "# 1. IAM role ${EXPORT_ROLE_NAME}: export.rds.amazonaws.com assumes it (for this account and region) to write to the bucket"
  if exists aws iam get-role --role-name "$EXPORT_ROLE_NAME"; then
    echo "# role exists: ${EXPORT_ROLE_ARN}; its trust policy is set to export-role-trust.json"
    run aws iam update-assume-role-policy --role-name "$EXPORT_ROLE_NAME" \
      --policy-document "file://$WORK_DIR/export-role-trust.json"
  else
    run aws iam create-role --role-name "$EXPORT_ROLE_NAME" \
      --assume-role-policy-document "file://$WORK_DIR/export-role-trust.json"
  fi
  run aws iam put-role-policy --role-name "$EXPORT_ROLE_NAME" --policy-name rds-s3-export \
    --policy-document "file://$WORK_DIR/export-role-policy.json"

  echo "# 2. IAM policy ${EXPORT_POLICY_NAME} from exportpolicy.json, on the jobs' role ${ROLE_NAME}"
  ensure_policy "$EXPORT_POLICY_NAME" "$EXPORT_POLICY_ARN" "file://$WORK_DIR/exportpolicy.json" "$0 --export"
  run aws iam attach-role-policy --role-name "$ROLE_NAME" --policy-arn "$EXPORT_POLICY_ARN"
  cat <<EOF
#
# Done. Export role: ${EXPORT_ROLE_ARN}; ${EXPORT_POLICY_NAME} is attached to ${ROLE_NAME}.
# Paste this over the entries of the same names in the env of export-snapshots/cronjob.yaml,
# then set suspend: false there and: kubectl apply -k .
                - name: EXPORT_S3_BUCKET
                  value: ${EXPORT_BUCKET}
                - name: EXPORT_IAM_ROLE_ARN
                  value: ${EXPORT_ROLE_ARN}
                - name: EXPORT_KMS_KEY_ID
                  value: ${KMS_KEY_ARN}
                - name: EXPORT_S3_PREFIX
                  value: ${EXPORT_PREFIX}
EOF
  exit 0
fi

# --- --copy: the copy policy, the settings patch ------------------------------
if [[ "$MODE" == copy ]]; then
  COPY_POLICY_ARN="arn:aws:iam::${ACCOUNT}:policy/${COPY_POLICY_NAME}"
  echo "# account=${ACCOUNT} region=${REGION} copies to: ${COPY_REGIONS}"
  sed -e "s|:cronsnap-\*|:${SNAPSHOT_PREFIX}-*|g" copypolicy.json >"$WORK_DIR/copypolicy.json"
  if [[ "$DRY_RUN" == true ]]; then
    echo "# copypolicy.json as it will be sent:"
    sed 's/^/#   /' "$WORK_DIR/copypolicy.json"
  fi
  echo "# 1. IAM policy ${COPY_POLICY_NAME} from copypolicy.json, on the jobs' role ${ROLE_NAME}"
  ensure_policy "$COPY_POLICY_NAME" "$COPY_POLICY_ARN" "file://$WORK_DIR/copypolicy.json" "$0 --copy"
  run aws iam attach-role-policy --role-name "$ROLE_NAME" --policy-arn "$COPY_POLICY_ARN"
  cat <<EOF
#
# Done. ${COPY_POLICY_NAME} is attached to ${ROLE_NAME}. For encrypted snapshots, let the
# role use each destination key (kms:CreateGrant, kms:DescribeKey in its key policy) and
# set COPY_KMS_KEYS in copy-snapshots/cronjob.yaml (README, "Copies in other regions").
# Paste this as patch (5) of deploy/settings/kustomization.yaml, then: kubectl apply -k .
  - target:
      kind: CronJob
      labelSelector: app.kubernetes.io/name in (copy-snapshots,delete-snapshots)
    patch: |-
      - op: add
        path: /spec/jobTemplate/spec/template/spec/containers/0/env/-
        value:
          name: DEFAULT_COPY_REGIONS
          value: "${COPY_REGIONS}"
EOF
  exit 0
fi

# The policy names the tool's snapshot prefix in its ARNs: keep it in step
# with the jobs' SNAPSHOT_PREFIX.
POLICY_DOC="file://${POLICY_FILE}"
if [[ "$SNAPSHOT_PREFIX" != cronsnap ]]; then
  sed "s/:cronsnap-\*/:${SNAPSHOT_PREFIX}-*/g" "$POLICY_FILE" >"$WORK_DIR/$POLICY_FILE"
  POLICY_DOC="file://$WORK_DIR/$POLICY_FILE"
  echo "# policy rendered for SNAPSHOT_PREFIX=${SNAPSHOT_PREFIX}: $WORK_DIR/$POLICY_FILE"
fi

echo "# cluster=${CLUSTER} namespace=${NAMESPACE} region=${REGION} account=${ACCOUNT} mode=${MODE}"

# --- 1. OIDC identity provider (IRSA only) ---------------------------------
if [[ "$MODE" == irsa ]]; then
  echo "# 1. OIDC provider of the cluster"
  ISSUER=$(query "https://oidc.eks.${REGION}.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE" \
    aws eks describe-cluster --name "$CLUSTER" --region "$REGION" \
    --query cluster.identity.oidc.issuer --output text)
  [[ "$ISSUER" == https://* ]] || die "cluster $CLUSTER reports no OIDC issuer (got '$ISSUER')"
  OIDC_ID=${ISSUER##*/}
  PROVIDER_ARN=$(query "" aws iam list-open-id-connect-providers \
    --query "OpenIDConnectProviderList[?ends_with(Arn, '/id/${OIDC_ID}')].Arn" --output text)
  if [[ -n "$PROVIDER_ARN" && "$PROVIDER_ARN" != None ]]; then
    echo "# IAM OIDC provider exists: $PROVIDER_ARN"
  else
    run eksctl utils associate-iam-oidc-provider --cluster "$CLUSTER" --region "$REGION" --approve
  fi
fi

# --- 2. IAM policy ---------------------------------------------------------
echo "# 2. IAM policy ${POLICY_NAME} from ${POLICY_FILE}"
ensure_policy "$POLICY_NAME" "$POLICY_ARN" "$POLICY_DOC" "$0"

# --- 3. Role bound to the service account ----------------------------------
if [[ "$MODE" == irsa ]]; then
  echo "# 3. IAM role ${ROLE_NAME}, trusted by ${NAMESPACE}/${SERVICE_ACCOUNT} through the OIDC provider"
  if [[ "$EKSCTL_OWNS_SA" == true ]]; then
    run eksctl create iamserviceaccount --cluster="$CLUSTER" --region="$REGION" \
      --namespace="$NAMESPACE" --name="$SERVICE_ACCOUNT" --role-name="$ROLE_NAME" \
      --attach-policy-arn="$POLICY_ARN" --override-existing-serviceaccounts --approve
    cat <<EOF
#
# eksctl now owns the ServiceAccount ${NAMESPACE}/${SERVICE_ACCOUNT} (role ${ROLE_ARN}).
# Before 'kubectl apply -k .', delete from kustomization.yaml the resource irsa
# (so apply does not overwrite the ServiceAccount), and paste this over the
# namespace: line and the patches: block of deploy/settings/kustomization.yaml:
EOF
    print_settings_block without-role-arn
  else
    run eksctl create iamserviceaccount --cluster="$CLUSTER" --region="$REGION" \
      --namespace="$NAMESPACE" --name="$SERVICE_ACCOUNT" --role-name="$ROLE_NAME" \
      --attach-policy-arn="$POLICY_ARN" --role-only --approve
    cat <<EOF
#
# Done. Role: ${ROLE_ARN}
# The kustomization owns the ServiceAccount. Paste this over the namespace: line
# and the patches: block of deploy/settings/kustomization.yaml, then: kubectl apply -k .
EOF
    print_settings_block with-role-arn
  fi
  exit 0
fi

echo "# 3. EKS Pod Identity agent (runs on every node; hands the pods their credentials)"
AUTO_MODE=$(query None aws eks describe-cluster --name "$CLUSTER" --region "$REGION" \
  --query cluster.computeConfig.enabled --output text) || AUTO_MODE=None
if [[ "$AUTO_MODE" == True ]]; then
  echo "# EKS Auto Mode: the agent is built into its nodes, no add-on needed"
elif ADDON_STATUS=$(lookup aws eks describe-addon --cluster-name "$CLUSTER" --region "$REGION" \
  --addon-name eks-pod-identity-agent --query addon.status --output text); then
  case "$ADDON_STATUS" in
    ACTIVE) echo "# add-on eks-pod-identity-agent is ACTIVE" ;;
    CREATING | UPDATING) echo "# add-on eks-pod-identity-agent is ${ADDON_STATUS}: pods get credentials once it is ACTIVE" ;;
    *) problem "add-on eks-pod-identity-agent is ${ADDON_STATUS}, so pods get no Pod Identity credentials; see why with: aws eks describe-addon --cluster-name ${CLUSTER} --region ${REGION} --addon-name eks-pod-identity-agent --query addon.health" ;;
  esac
else
  run aws eks create-addon --cluster-name "$CLUSTER" --region "$REGION" \
    --addon-name eks-pod-identity-agent
fi

echo "# 4. Node roles: the agent calls eks-auth:AssumeRoleForPodIdentity with the node's role"
NODE_ROLES=()
add_node_role() {
  local role=$1 known
  [[ -n "$role" && "$role" != None ]] || return 0
  for known in ${NODE_ROLES[@]+"${NODE_ROLES[@]}"}; do [[ "$known" == "$role" ]] && return 0; done
  NODE_ROLES+=("$role")
}
if [[ "$AUTO_MODE" == True ]]; then
  add_node_role "$(query "arn:aws:iam::${ACCOUNT}:role/AUTO_MODE_NODE_ROLE" aws eks describe-cluster \
    --name "$CLUSTER" --region "$REGION" --query cluster.computeConfig.nodeRoleArn --output text || true)"
fi
NODEGROUPS=$(query NODEGROUP aws eks list-nodegroups --cluster-name "$CLUSTER" --region "$REGION" \
  --query nodegroups --output text) || NODEGROUPS=""
for nodegroup in $NODEGROUPS; do
  [[ "$nodegroup" == None ]] && continue
  add_node_role "$(query "arn:aws:iam::${ACCOUNT}:role/NODE_ROLE" aws eks describe-nodegroup \
    --cluster-name "$CLUSTER" --region "$REGION" --nodegroup-name "$nodegroup" \
    --query nodegroup.nodeRole --output text || true)"
done
if ((${#NODE_ROLES[@]} == 0)); then
  echo "# no managed node group found (self-managed nodes, Karpenter?): make sure your nodes' role allows"
  echo "# eks-auth:AssumeRoleForPodIdentity (the AWS managed AmazonEKSWorkerNodePolicy does)"
fi
for role in ${NODE_ROLES[@]+"${NODE_ROLES[@]}"}; do
  DECISION=$(query "(dry run: not checked)" aws iam simulate-principal-policy --policy-source-arn "$role" \
    --action-names eks-auth:AssumeRoleForPodIdentity \
    --query 'EvaluationResults[0].EvalDecision' --output text) || DECISION=""
  case "$DECISION" in
    allowed) echo "# node role ${role} may call eks-auth:AssumeRoleForPodIdentity" ;;
    implicitDeny | explicitDeny)
      problem "node role ${role} may not call eks-auth:AssumeRoleForPodIdentity (${DECISION}), so pods on its nodes get no credentials; for example: aws iam attach-role-policy --role-name ${role##*/} --policy-arn arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy" ;;
    "(dry run: not checked)") echo "# node role ${role}: (dry run: not checked)" ;;
    *)
      echo "# could not check node role ${role} (iam simulate-principal-policy needs iam:SimulatePrincipalPolicy):"
      echo "# make sure it allows eks-auth:AssumeRoleForPodIdentity (AmazonEKSWorkerNodePolicy does)" ;;
  esac
done

echo "# 5. IAM role ${ROLE_NAME}, trusted by pods.eks.amazonaws.com for ${CLUSTER}/${NAMESPACE}/${SERVICE_ACCOUNT}"
sed -e "s/\"CLUSTER\"/\"${CLUSTER}\"/" -e "s/\"NAMESPACE\"/\"${NAMESPACE}\"/" \
  trust-pod-identity.json >"$WORK_DIR/trust-pod-identity.json"
if exists aws iam get-role --role-name "$ROLE_NAME"; then
  # Make the trust policy what the file says, whoever made the role: a role from
  # the IRSA path trusts only the OIDC provider, and Pod Identity's AssumeRole
  # would fail with AccessDenied.
  TRUSTED_OIDC=$(query "" aws iam get-role --role-name "$ROLE_NAME" \
    --query 'Role.AssumeRolePolicyDocument.Statement[].Principal.Federated' --output text) || TRUSTED_OIDC=""
  if [[ "$TRUSTED_OIDC" == *oidc-provider* ]]; then
    echo "# role exists and trusts an OIDC provider (IRSA): ${TRUSTED_OIDC}"
    echo "# its trust policy is replaced by the Pod Identity one; IRSA can no longer assume it. If eksctl"
    echo "# made it, the CloudFormation stack eksctl-${CLUSTER}-addon-iamserviceaccount-${NAMESPACE}-${SERVICE_ACCOUNT}"
    echo "# still owns the role: do not delete that stack while Pod Identity uses the role"
  else
    echo "# role exists: ${ROLE_ARN}; its trust policy is set to the Pod Identity one"
  fi
  run aws iam update-assume-role-policy --role-name "$ROLE_NAME" \
    --policy-document "file://$WORK_DIR/trust-pod-identity.json"
else
  run aws iam create-role --role-name "$ROLE_NAME" \
    --assume-role-policy-document "file://$WORK_DIR/trust-pod-identity.json"
fi
run aws iam attach-role-policy --role-name "$ROLE_NAME" --policy-arn "$POLICY_ARN"

echo "# 6. Pod Identity association"
ASSOCIATION=$(query None aws eks list-pod-identity-associations --cluster-name "$CLUSTER" \
  --region "$REGION" --namespace "$NAMESPACE" --service-account "$SERVICE_ACCOUNT" \
  --query 'associations[0].associationId' --output text)
if [[ -n "$ASSOCIATION" && "$ASSOCIATION" != None ]]; then
  echo "# association exists: $ASSOCIATION"
else
  run aws eks create-pod-identity-association --cluster-name "$CLUSTER" --region "$REGION" \
    --namespace "$NAMESPACE" --service-account "$SERVICE_ACCOUNT" --role-arn "$ROLE_ARN"
fi
cat <<EOF
#
# Done. Role: ${ROLE_ARN}, associated with ${NAMESPACE}/${SERVICE_ACCOUNT}.
# Paste this over the namespace: line and the patches: block of
# deploy/settings/kustomization.yaml, then: kubectl apply -k .
# It leaves out the IRSA role-arn patch: with an association, EKS injects only
# the Pod Identity credentials, so a leftover annotation does no harm; deleting
# it is tidy, not required.
EOF
print_settings_block without-role-arn

if ((${#PROBLEMS[@]})); then
  printf 'setup.sh: %s\n' "${PROBLEMS[@]}" >&2
  printf 'setup.sh: the role and the association are in place, but pods get no credentials until the above is fixed\n' >&2
  exit 1
fi
