// Every test starts real processes; two at a time is what a shared 2-core machine can take without starving them.
[assembly: CollectionBehavior(MaxParallelThreads = 2)]
// Execution environments are Linux process groups (setsid, SIGSTOP, /proc).
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
