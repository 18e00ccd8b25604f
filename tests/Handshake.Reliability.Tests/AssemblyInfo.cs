// The harnesses send signals and start executables with Unix file modes: Linux only, like the host they test.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
