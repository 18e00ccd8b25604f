// Scenarios, one line each: dotnet run -c Release --project bench/Handshake.Bench -- SCENARIO [options]
return args.Length > 0 ? args[0] switch
{
    "host" => await Handshake.Bench.Host.HostBenchmark.RunAsync(args[1..]),
    _ => Usage(),
} : Usage();

static int Usage()
{
    Console.Error.WriteLine("usage: Handshake.Bench host [--warm N] [--cold N] [--scale N] [--concurrency C] [--aot DIR]");
    return 2;
}
