using Registry.Core.Images;

namespace Registry.Tests.Core;

public sealed class SifReaderTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("sifreader-").FullName;

    [Fact]
    public async Task Reads_definition_labels_environment_and_runscript_from_a_siftool_image()
    {
        var sif = await BuildAsync(("Singularity.def", "Bootstrap: docker\nFrom: alpine\n\n%runscript\n    echo hello \"$@\"\n\n%labels\n    Author me\n", 1),
                        ("labels.json", "{\"org.label-schema.name\":\"demo\",\"build\":42}", 3),
                        ("env.sh", "export FOO=bar\n", 2));

        using var stream = File.OpenRead(sif);
        var meta = SifReader.Read(stream).ShouldNotBeNull();

        meta.DefinitionFile.ShouldBe("Bootstrap: docker\nFrom: alpine\n\n%runscript\n    echo hello \"$@\"\n\n%labels\n    Author me\n");
        meta.Runscript.ShouldBe("    echo hello \"$@\"");
        meta.Environment.ShouldBe("export FOO=bar\n");
        meta.Labels.ShouldBe(new Dictionary<string, string> { ["org.label-schema.name"] = "demo", ["build"] = "42" });
        meta.Signed.ShouldBeFalse();
        meta.Descriptors.ShouldBe(4);
    }

    [Fact]
    public async Task A_signature_object_marks_the_image_signed()
    {
        var sif = await BuildAsync();
        File.WriteAllText(Path.Combine(_dir, "sig.bin"), "-----BEGIN PGP SIGNED MESSAGE-----");
        await SifFiles.SiftoolAsync("add", sif, Path.Combine(_dir, "sig.bin"), "--datatype", "5", "--signentity", "433FE984155206BD962725E20E8713472A879943", "--signhash", "1");

        using var stream = File.OpenRead(sif);
        var meta = SifReader.Read(stream).ShouldNotBeNull();
        meta.Signed.ShouldBeTrue();
        meta.DefinitionFile.ShouldBeNull();
        meta.Runscript.ShouldBeNull();
        meta.Labels.ShouldBeEmpty();
    }

    [Fact]
    public void Files_without_the_SIF_magic_are_not_read()
    {
        using var stream = new MemoryStream(new byte[4096]);
        SifReader.Read(stream).ShouldBeNull();
        using var tiny = new MemoryStream("SIF"u8.ToArray());
        SifReader.Read(tiny).ShouldBeNull();
    }

    [Theory]
    [InlineData(long.MaxValue - 10, 100)] // offset + size overflows
    [InlineData(-5, 10)]
    [InlineData(200, long.MaxValue)]
    [InlineData(1 << 30, 10)]             // past the end of the file
    public void A_descriptor_pointing_outside_the_file_is_a_damaged_header_not_an_exception(long offset, long size)
    {
        var bytes = SifBuilder.WithObjects("amd64", labelsJson: "{\"a\":\"b\"}");
        const int labelsDescriptor = 128; // the first descriptor holds the labels
        System.Buffers.Binary.BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(labelsDescriptor + 17), offset);
        System.Buffers.Binary.BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(labelsDescriptor + 25), size);

        using var stream = new MemoryStream(bytes);
        SifReader.Read(stream, out var problem).ShouldBeNull();
        problem.ShouldNotBeNull().ShouldContain("damaged");
    }

    [Theory]
    [InlineData("%post\n  apt-get x\n%runscript\n  exec app\n%test\n  true\n", "runscript", "  exec app")]
    [InlineData("Bootstrap: docker\n%environment\n  export A=1\n", "environment", "  export A=1")]
    [InlineData("Bootstrap: docker\n%post\n  x\n", "runscript", null)]
    public void Definition_sections_are_cut_at_the_next_section(string definition, string section, string? body) =>
        SifReader.Section(definition, section).ShouldBe(body);

    /// <summary>A SIF with the given objects (name, text, siftool datatype) and a small raw amd64 partition.</summary>
    private Task<string> BuildAsync(params (string Name, string Text, int DataType)[] objects) =>
        new SifFiles(_dir).BuildAsync([.. objects.Select(o => new SiftoolObject(o.Name, o.Text, o.DataType))], 8192);

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
