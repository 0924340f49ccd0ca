// Each collection here starts a whole Rcmd (AppHost, DCP, Redis, rcd, Api, Workers, often Web and Chromium). Run at
// once on a 2-core machine, four of them starved each other: Workers missed 3 s leases they held and pages waited 30 s
// for Blazor. One system at a time keeps every test's timings those of one Rcmd.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
