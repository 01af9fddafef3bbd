#!/usr/bin/env bash
# Build the base image and the three job images, tag them and push them to a
# registry (Amazon ECR by default: logs in and creates missing repositories).
#
# Usage:
#   REGISTRY=123456789012.dkr.ecr.eu-north-1.amazonaws.com TAG=0.1.0 scripts/images.sh
#   REGISTRY=... scripts/images.sh --dry-run     # print the commands only
#
# Environment:
#   REGISTRY     registry host, no scheme, e.g. 123456789012.dkr.ecr.eu-north-1.amazonaws.com
#                (required)
#   TAG          image tag (default: "version" from package.json). Never "latest".
#   REPO_PREFIX  repository path prefix (default: rds-snapshot), giving
#                REGISTRY/rds-snapshot/{base,<each job>}
#   PLATFORM     target platform of the nodes (default: linux/amd64; Graviton: linux/arm64)
#   AWS_REGION   region for ECR (default: the one in an ECR REGISTRY host)
#   AL2023_IMAGE override Dockerfile.base's pinned Amazon Linux image, e.g. to add a digest:
#                public.ecr.aws/amazonlinux/amazonlinux:2023.9.20251117.1@sha256:<digest>
#   NODE_MAJOR   Node.js major version from AL2023 packages, 22 or 24 (default: Dockerfile.base's)
#   SKIP_NPM     1 = do not run `npm ci && npm run build` (dist/ must be there)
#   PRINT_ONLY   1 = same as --dry-run
#
# Options:
#   --dry-run    print every command instead of running it
#   --no-push    build and tag only: no registry login, no repository creation, no push
#   -h, --help   show this help
#
# The bundles are built on the host, by the same `npm run build` that CI tests,
# and copied into the images; no Node toolchain runs inside `docker build`.
set -euo pipefail

ROOT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# A job is a top-level folder with a main.ts and a Dockerfile; a test holds these folders equal
# to the job registry (src/jobs/registry.ts).
JOBS=()
for dir in "$ROOT_DIR"/*/; do
  [[ -f "${dir}main.ts" && -f "${dir}Dockerfile" ]] && JOBS+=("$(basename "$dir")")
done

usage() {
  sed -n '2,/^set -euo pipefail/p' "${BASH_SOURCE[0]}" | sed '$d' | sed 's/^# \{0,1\}//'
}

die() {
  printf 'images.sh: %s\n' "$*" >&2
  exit 2
}

DRY_RUN=false
PUSH=true
[[ -n "${PRINT_ONLY:-}" && "${PRINT_ONLY}" != 0 && "${PRINT_ONLY}" != false ]] && DRY_RUN=true
while (($#)); do
  case "$1" in
    --dry-run) DRY_RUN=true ;;
    --no-push) PUSH=false ;;
    -h | --help) usage; exit 0 ;;
    *) die "unknown option '$1' (try --help)" ;;
  esac
  shift
done

cd "$ROOT_DIR"

REGISTRY=${REGISTRY:-}
REPO_PREFIX=${REPO_PREFIX:-rds-snapshot}
PLATFORM=${PLATFORM:-linux/amd64}
TAG=${TAG:-$(node -p "require('./package.json').version" 2>/dev/null || true)}

[[ -n "$REGISTRY" ]] ||
  die "REGISTRY is not set, e.g. REGISTRY=123456789012.dkr.ecr.eu-north-1.amazonaws.com $0"
[[ "$REGISTRY" =~ ^[a-z0-9.-]+(:[0-9]+)?(/[a-z0-9._/-]+)?$ && "$REGISTRY" != */ ]] ||
  die "REGISTRY must be a registry host without scheme or trailing slash, got '$REGISTRY'"
[[ "$REPO_PREFIX" =~ ^[a-z0-9]+([._/-][a-z0-9]+)*$ ]] ||
  die "REPO_PREFIX must be a lowercase repository path, got '$REPO_PREFIX'"
[[ -n "$TAG" ]] || die "TAG is not set and package.json has no version"
[[ "$TAG" =~ ^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$ ]] ||
  die "TAG must be 1 to 128 of A-Z a-z 0-9 _ . - (not starting with . or -), got '$TAG'"
[[ "$TAG" != latest ]] || die "TAG must not be 'latest': pin a version the kustomization can name"
[[ -z "${NODE_MAJOR:-}" || "${NODE_MAJOR}" =~ ^(22|24)$ ]] || die "NODE_MAJOR must be 22 or 24, got '${NODE_MAJOR}'"
[[ -z "${AL2023_IMAGE:-}" || "${AL2023_IMAGE}" =~ ^[a-z0-9./-]+:2023\.[0-9.]+(@sha256:[0-9a-f]{64})?$ ]] ||
  die "AL2023_IMAGE must be an Amazon Linux 2023 image pinned by release tag (optionally @sha256:...), got '${AL2023_IMAGE}'"

ECR=false
if [[ "$REGISTRY" =~ ^[0-9]{12}\.dkr\.ecr(-fips)?\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?$ ]]; then
  ECR=true
  AWS_REGION=${AWS_REGION:-${BASH_REMATCH[2]}}
fi

# Print a command, then run it (or only print it with --dry-run).
run() {
  printf '+'
  printf ' %q' "$@"
  printf '\n'
  if [[ "$DRY_RUN" == false ]]; then "$@"; fi
}

if [[ "$DRY_RUN" == false ]]; then
  command -v docker >/dev/null 2>&1 || die "'docker' is not installed"
  if [[ "$PUSH" == true && "$ECR" == true ]]; then
    command -v aws >/dev/null 2>&1 || die "'aws' is not installed (needed to log in to ECR)"
  fi
fi

# BuildKit reads the per-Dockerfile .dockerignore files and COPY --chmod.
export DOCKER_BUILDKIT=1

image() { printf '%s/%s/%s:%s' "$REGISTRY" "$REPO_PREFIX" "$1" "$TAG"; }
BASE_IMAGE=$(image base)

LABELS=(--label "org.opencontainers.image.version=${TAG}")
if REVISION=$(git rev-parse HEAD 2>/dev/null); then
  LABELS+=(--label "org.opencontainers.image.revision=${REVISION}")
fi

echo "# 1. bundles (dist/*.js)"
if [[ "${SKIP_NPM:-0}" == 1 ]]; then
  echo "# SKIP_NPM=1: using the existing dist/"
else
  run npm ci --no-audit --no-fund
  run npm run build
fi
if [[ "$DRY_RUN" == false ]]; then
  for job in "${JOBS[@]}"; do
    [[ -f "dist/${job}.js" ]] || die "dist/${job}.js is missing: run npm run build"
  done
fi

BASE_ARGS=()
[[ -n "${AL2023_IMAGE:-}" ]] && BASE_ARGS+=(--build-arg "AL2023_IMAGE=${AL2023_IMAGE}")
[[ -n "${NODE_MAJOR:-}" ]] && BASE_ARGS+=(--build-arg "NODE_MAJOR=${NODE_MAJOR}")

echo "# 2. images for ${PLATFORM}"
run docker build --platform "$PLATFORM" "${LABELS[@]}" ${BASE_ARGS[@]+"${BASE_ARGS[@]}"} \
  -f Dockerfile.base -t "$BASE_IMAGE" .
for job in "${JOBS[@]}"; do
  run docker build --platform "$PLATFORM" "${LABELS[@]}" \
    --build-arg "BASE_IMAGE=${BASE_IMAGE}" \
    -f "${job}/Dockerfile" -t "$(image "$job")" .
done

if [[ "$PUSH" == true ]]; then
  if [[ "$ECR" == true ]]; then
    echo "# 3. ECR login and repositories (${AWS_REGION})"
    printf '+ aws ecr get-login-password --region %q | docker login --username AWS --password-stdin %q\n' \
      "$AWS_REGION" "$REGISTRY"
    if [[ "$DRY_RUN" == false ]]; then
      aws ecr get-login-password --region "$AWS_REGION" |
        docker login --username AWS --password-stdin "$REGISTRY"
    fi
    for name in base "${JOBS[@]}"; do
      repo="${REPO_PREFIX}/${name}"
      if [[ "$DRY_RUN" == false ]] &&
        aws ecr describe-repositories --region "$AWS_REGION" --repository-names "$repo" >/dev/null 2>&1; then
        echo "# repository exists: $repo"
      else
        [[ "$DRY_RUN" == true ]] && echo "# (creates the repository only if 'aws ecr describe-repositories --repository-names $repo' finds none)"
        # Immutable tags: a pushed TAG always means the same image.
        run aws ecr create-repository --region "$AWS_REGION" --repository-name "$repo" \
          --image-tag-mutability IMMUTABLE --image-scanning-configuration scanOnPush=true
      fi
    done
  else
    echo "# 3. ${REGISTRY} is not Amazon ECR: log in to it yourself before pushing"
  fi

  echo "# 4. push"
  run docker push "$BASE_IMAGE"
  for job in "${JOBS[@]}"; do
    run docker push "$(image "$job")"
  done
fi

cat <<EOF
#
# Paste over the "images:" block of deploy/settings/kustomization.yaml:
images:
EOF
for job in "${JOBS[@]}"; do
  cat <<EOF
  - name: rds-snapshot/${job}
    newName: ${REGISTRY}/${REPO_PREFIX}/${job}
    newTag: "${TAG}"
EOF
done
