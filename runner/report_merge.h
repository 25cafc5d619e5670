// Joining reports: the shards of one run made on several machines, or the runs of several
// implementations, into one report (`sigconform merge`, `sigconform report`).
#ifndef SIGCONFORM_RUNNER_REPORT_MERGE_H_
#define SIGCONFORM_RUNNER_REPORT_MERGE_H_

#include <string>
#include <vector>

#include "report_read.h"

namespace sigconform {

// Joins `parts` (at least one) into *out. Refuses, with one sentence per problem naming the
// files:
//  - reports of different catalogs (catalog digests differ) or of different --repeat;
//  - a (case, implementation) pair in two reports;
//  - an implementation whose describe records disagree on implementation, language_version
//    or platform between reports (the results would mix two interpreters);
//  - sharded reports of one implementation that do not form one complete set: the same shard
//    count and selection, every index from 1 to N exactly once (a missing shard would silently
//    lose its cases).
// The merged run keeps the common facts, takes the earliest start, the latest end, the
// longest duration, interrupted when any part was, the implementations in order of first
// appearance, no shard, and lists each part in `sources` (file, host, shard, times, runner
// commit). Results are ordered implementation by implementation, cases by id, so the merge of
// a run's shards equals the unsharded run's results. *out is filled only without problems.
std::vector<std::string> MergeReports(const std::vector<LoadedReport>& parts, LoadedReport* out);

}  // namespace sigconform

#endif  // SIGCONFORM_RUNNER_REPORT_MERGE_H_
