#!/usr/bin/env bash
# Give the cronjob-rds-snapshot service account its AWS permissions.
#
# Creates the IAM policy (irsa/snapshotpolicy.json) and an IAM role with that
# policy, then binds the role to the Kubernetes service account, either with
# IRSA (default: OIDC provider + eksctl) or with EKS Pod Identity
# (--pod-identity). Safe to re-run: every step checks before it creates.
#
# The ServiceAccount object itself belongs to the kustomization (see
# irsa/README.md, "Who owns the service account"); by default eksctl only makes
# the IAM role (--role-only) and this script prints the annotation to set.
#
# Usage:
#   CLUSTER=my-cluster REGION=eu-north-1 irsa/setup.sh [options]
#
# Environment:
#   CLUSTER          EKS cluster name (required)
#   NAMESPACE        namespace of the CronJobs (default: rds-snapshots)
#   REGION           AWS region of the cluster (default: $AWS_REGION, else eu-north-1)
#   ACCOUNT          AWS account id (default: from `aws sts get-caller-identity`)
#   POLICY_NAME      IAM policy name (default: rds-snapshot-policy)
#   ROLE_NAME        IAM role name (default: rds-snapshot-cronjobs)
#   SNAPSHOT_PREFIX  must equal the jobs' SNAPSHOT_PREFIX (default: cronsnap)
#   UPDATE_POLICY    1 = if the policy exists, make this file its new default
#                    version (IAM keeps at most 5 versions; delete old ones)
#
# Options:
#   --pod-identity   use EKS Pod Identity instead of IRSA
#   --eksctl-owns-service-account
#                    IRSA the way the original write-up did it: eksctl creates
#                    and annotates the ServiceAccount itself. Then remove
#                    irsa/serviceaccount.yaml and the role-arn patch from
#                    kustomization.yaml, or the two will fight over it.
#   --legacy-policy  attach irsa/snapshotpolicy-legacy.json (deletes expired
#                    snapshots of any name; see irsa/README.md)
#   --dry-run        print the commands instead of running them (PRINT_ONLY=1
#                    does the same)
#   -h, --help       show this help
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
    --dry-run) DRY_RUN=true ;;
    -h | --help) usage; exit 0 ;;
    *) die "unknown option '$1' (try --help)" ;;
  esac
  shift
done

[[ "$MODE" == pod-identity && "$EKSCTL_OWNS_SA" == true ]] &&
  die "--eksctl-owns-service-account is for IRSA only, not with --pod-identity"

CLUSTER=${CLUSTER:-}
NAMESPACE=${NAMESPACE:-rds-snapshots}
REGION=${REGION:-${AWS_REGION:-eu-north-1}}
ACCOUNT=${ACCOUNT:-}
POLICY_NAME=${POLICY_NAME:-rds-snapshot-policy}
ROLE_NAME=${ROLE_NAME:-rds-snapshot-cronjobs}
SNAPSHOT_PREFIX=${SNAPSHOT_PREFIX:-cronsnap}

[[ -n "$CLUSTER" ]] || die "CLUSTER is not set: CLUSTER=my-cluster $0"
[[ "$CLUSTER" =~ ^[0-9A-Za-z][A-Za-z0-9_-]*$ ]] ||
  die "CLUSTER must be an EKS cluster name (letters, digits, - and _), got '$CLUSTER'"
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
if exists aws iam get-policy --policy-arn "$POLICY_ARN"; then
  echo "# policy exists: $POLICY_ARN"
  if [[ "${UPDATE_POLICY:-0}" == 1 ]]; then
    run aws iam create-policy-version --policy-arn "$POLICY_ARN" \
      --policy-document "$POLICY_DOC" --set-as-default
  else
    echo "# left as it is; UPDATE_POLICY=1 $0 replaces it with ${POLICY_FILE}"
  fi
else
  run aws iam create-policy --policy-name "$POLICY_NAME" --policy-document "$POLICY_DOC"
fi

# --- 3. Role bound to the service account ----------------------------------
if [[ "$MODE" == irsa ]]; then
  echo "# 3. IAM role ${ROLE_NAME}, trusted by ${NAMESPACE}/${SERVICE_ACCOUNT} through the OIDC provider"
  if [[ "$EKSCTL_OWNS_SA" == true ]]; then
    run eksctl create iamserviceaccount --cluster="$CLUSTER" --region="$REGION" \
      --namespace="$NAMESPACE" --name="$SERVICE_ACCOUNT" --role-name="$ROLE_NAME" \
      --attach-policy-arn="$POLICY_ARN" --override-existing-serviceaccounts --approve
    cat <<EOF
#
# eksctl now owns the ServiceAccount ${NAMESPACE}/${SERVICE_ACCOUNT}. Before
# 'kubectl apply -k .', delete from kustomization.yaml both the resource
# irsa/serviceaccount.yaml and the role-arn patch, so apply does not overwrite it.
EOF
  else
    run eksctl create iamserviceaccount --cluster="$CLUSTER" --region="$REGION" \
      --namespace="$NAMESPACE" --name="$SERVICE_ACCOUNT" --role-name="$ROLE_NAME" \
      --attach-policy-arn="$POLICY_ARN" --role-only --approve
    cat <<EOF
#
# Done. The kustomization owns the ServiceAccount: in kustomization.yaml set
#   eks.amazonaws.com/role-arn: ${ROLE_ARN}
# and the namespace to ${NAMESPACE}, then: kubectl apply -k .
EOF
  fi
else
  echo "# 3. EKS Pod Identity agent"
  if exists aws eks describe-addon --cluster-name "$CLUSTER" --region "$REGION" \
    --addon-name eks-pod-identity-agent; then
    echo "# add-on eks-pod-identity-agent is installed"
  else
    run aws eks create-addon --cluster-name "$CLUSTER" --region "$REGION" \
      --addon-name eks-pod-identity-agent
  fi

  echo "# 4. IAM role ${ROLE_NAME}, trusted by pods.eks.amazonaws.com for ${CLUSTER}/${NAMESPACE}/${SERVICE_ACCOUNT}"
  sed -e "s/\"CLUSTER\"/\"${CLUSTER}\"/" -e "s/\"NAMESPACE\"/\"${NAMESPACE}\"/" \
    trust-pod-identity.json >"$WORK_DIR/trust-pod-identity.json"
  if exists aws iam get-role --role-name "$ROLE_NAME"; then
    echo "# role exists: $ROLE_ARN"
  else
    run aws iam create-role --role-name "$ROLE_NAME" \
      --assume-role-policy-document "file://$WORK_DIR/trust-pod-identity.json"
  fi
  run aws iam attach-role-policy --role-name "$ROLE_NAME" --policy-arn "$POLICY_ARN"

  echo "# 5. Pod Identity association"
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
# Done. With Pod Identity the ServiceAccount needs no annotation: delete the
# role-arn patch from kustomization.yaml (a leftover annotation makes the SDK
# try IRSA first and fail), then: kubectl apply -k .
EOF
fi
