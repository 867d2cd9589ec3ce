using System.Security.Cryptography;
using System.Text;

namespace Registry.Tests.Api;

/// <summary>Bytes that carry a SIF global header (magic + arch code at 45–47) followed by random data: enough for the server's arch detection.</summary>
public static class FakeSif
{
    public static byte[] Make(int size, string archCode = "02")
    {
        var bytes = RandomNumberGenerator.GetBytes(Math.Max(size, 128));
        Encoding.ASCII.GetBytes("#!/usr/bin/env run-singularity\n").CopyTo(bytes, 0);
        Encoding.ASCII.GetBytes("SIF_MAGIC\0").CopyTo(bytes, 32);
        Encoding.ASCII.GetBytes("01\0").CopyTo(bytes, 42);
        Encoding.ASCII.GetBytes(archCode + "\0").CopyTo(bytes, 45);
        return bytes;
    }
}
