using System.Runtime.InteropServices;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.DependencyInjection;
using Registry.Web.Api;

namespace Registry.Tests.Api;

/// <summary>Kestrel reads request bodies into 64 KiB blocks that are reused, not into 4 KiB ones.</summary>
public sealed class KestrelMemoryPoolTests(RegistryApiFactory factory) : IClassFixture<RegistryApiFactory>
{
    [Fact]
    public void A_returned_block_is_handed_out_again_once_and_oversized_rents_are_refused()
    {
        var pool = new LargeBlockMemoryPool();
        var first = pool.Rent(100);
        first.Memory.Length.ShouldBe(LargeBlockMemoryPool.BlockSize);
        var array = Array(first);
        first.Dispose();
        first.Dispose(); // a second dispose must not put the block in the pool twice

        using var again = pool.Rent();
        using var other = pool.Rent();
        Array(again).ShouldBeSameAs(array);
        Array(other).ShouldNotBeSameAs(array);
        pool.Allocated.ShouldBe(2);
        Should.Throw<ArgumentOutOfRangeException>(() => pool.Rent(LargeBlockMemoryPool.BlockSize + 1));
        Should.Throw<ObjectDisposedException>(() => first.Memory);
    }

    [Fact]
    public async Task A_pushed_image_arrives_through_the_pool_in_reused_blocks()
    {
        var pool = ((LargeBlockMemoryPool.Factory)factory.Services.GetRequiredService<IMemoryPoolFactory<byte>>()).Pool;
        var (_, token) = await factory.CreateUserAsync("pooled");
        var client = new LibraryClient(factory.Client(token));
        var file = SifBuilder.Bytes(32 * 1024 * 1024);
        var before = pool.Allocated;

        await client.PushAsync("pooled", "c", "big", file, "latest");

        var allocated = pool.Allocated - before;
        // 32 MiB is 512 blocks: far fewer new ones means the body was read into blocks that came back and went out again.
        allocated.ShouldBeLessThan(file.Length / LargeBlockMemoryPool.BlockSize / 4);
        var redirect = await factory.Client(token).GetAsync("/v1/imagefile/pooled/c/big:latest");
        (await new HttpClient().GetByteArrayAsync(redirect.Headers.Location)).ShouldBe(file);
    }

    private static byte[] Array(System.Buffers.IMemoryOwner<byte> lease) =>
        MemoryMarshal.TryGetArray<byte>(lease.Memory, out var segment) ? segment.Array! : throw new InvalidOperationException("not an array");
}
