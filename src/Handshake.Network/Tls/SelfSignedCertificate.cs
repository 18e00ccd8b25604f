using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Handshake.Network.Tls;

/// <summary>
/// The HTTPS listener's certificate: made on first start and kept in the data directory, so that clients that pin
/// or trust it once keep working across restarts. Self-signed for localhost and 127.0.0.1.
/// </summary>
public static class SelfSignedCertificate
{
    public const string FileName = "handshake-tls.pfx";
    public const string PemFileName = "handshake-tls.crt";

    public static X509Certificate2 LoadOrCreate(string directory, TimeProvider? clock = null)
    {
        string path = Path.Combine(directory, FileName);
        if (File.Exists(path))
        {
            X509Certificate2 existing = X509CertificateLoader.LoadPkcs12FromFile(path, password: null);
            if (existing.NotAfter > (clock ?? TimeProvider.System).GetLocalNow().DateTime.AddDays(1))
            {
                return existing;
            }

            existing.Dispose();
        }

        Directory.CreateDirectory(directory);
        using X509Certificate2 created = Create(clock ?? TimeProvider.System);
        byte[] pfx = created.Export(X509ContentType.Pkcs12);
        string temporary = path + ".tmp";
        File.WriteAllBytes(temporary, pfx);
        File.Move(temporary, path, overwrite: true);
        return X509CertificateLoader.LoadPkcs12(pfx, password: null);
    }

    /// <summary>Writes the certificate (public part only) as PEM beside the PFX, for clients to trust; returns its path.</summary>
    public static string WritePem(X509Certificate2 certificate, string directory)
    {
        string path = Path.Combine(directory, PemFileName);
        string pem = certificate.ExportCertificatePem() + "\n";
        if (!File.Exists(path) || File.ReadAllText(path) != pem)
        {
            File.WriteAllText(path, pem);
        }

        return path;
    }

    public static X509Certificate2 Create(TimeProvider clock)
    {
        // ECDSA P-256: the handshake cost is that of a typical modern endpoint, and key generation is instant.
        using ECDsa key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        CertificateRequest request = new("CN=localhost", key, HashAlgorithmName.SHA256);
        SubjectAlternativeNameBuilder names = new();
        names.AddDnsName("localhost");
        names.AddIpAddress(System.Net.IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        DateTimeOffset now = clock.GetUtcNow();
        return request.CreateSelfSigned(now.AddDays(-1), now.AddYears(5));
    }
}
