#!/usr/bin/env bash
# Posts strata's comment parts ($PARTS/part-*.md) to pull request
# $PULL_REQUEST: the comments that start with this diff's marker are
# updated in place, missing ones created, surplus ones deleted. Without
# write access (pull requests from forks get a read-only token) the parts
# go to the job summary instead, and the job still passes.
set -euo pipefail

parts=("$PARTS"/part-*.md)
summary() {
  echo "$1" >&2
  cat "${parts[@]}" >> "$GITHUB_STEP_SUMMARY"
  exit 0
}

[ "$FROM_FORK" != true ] || summary "pull request from a fork: the diff is in the job summary"

# What every part of this diff starts with (see `strata diff --help`).
export STRATA_MARKER="<!-- strata diff id=\"$COMMENT_ID\" "
comments="repos/$REPOSITORY/issues/$PULL_REQUEST/comments"
ids=$(gh api --paginate "$comments" \
  --jq '.[] | select(.body | startswith(env.STRATA_MARKER)) | .id') \
  || summary "cannot read the pull request's comments: the diff is in the job summary"
existing=()
[ -z "$ids" ] || mapfile -t existing <<< "$ids"

for i in "${!parts[@]}"; do
  if [ "$i" -lt "${#existing[@]}" ]; then
    gh api --method PATCH "repos/$REPOSITORY/issues/comments/${existing[$i]}" \
      -F "body=@${parts[$i]}" > /dev/null \
      || summary "cannot update comments (read-only token?): the diff is in the job summary"
  else
    gh api --method POST "$comments" -F "body=@${parts[$i]}" > /dev/null \
      || summary "cannot comment (read-only token?): the diff is in the job summary"
  fi
done
# A shorter diff than last time: the extra parts go.
for id in "${existing[@]:${#parts[@]}}"; do
  gh api --method DELETE "repos/$REPOSITORY/issues/comments/$id" > /dev/null
done
