using Registry.Web.Components.Pages.Containers;
using Registry.Web.Components.Pages.Upload;
using Registry.Web.Components.Shared;

namespace Registry.Tests.Components;

public sealed class FormatTests
{
    [Theory]
    [InlineData(0, "0 B")]
    [InlineData(1023, "1023 B")]
    [InlineData(1536, "1.5 KiB")]
    [InlineData(20032768, "19 MiB")]
    [InlineData(5L * 1024 * 1024 * 1024, "5.0 GiB")]
    public void Sizes_use_binary_units(long bytes, string text) => Format.Bytes(bytes).ShouldBe(text);

    [Theory]
    [InlineData(0, "0 downloads")]
    [InlineData(1, "1 download")]
    [InlineData(2, "2 downloads")]
    [InlineData(12345, "12,345 downloads")]
    public void Counts_agree_with_their_noun(long n, string text) => Format.Count(n, "download").ShouldBe(text);

    [Theory]
    [InlineData(75, "1:15")]
    [InlineData(3725, "1:02:05")]
    [InlineData(double.PositiveInfinity, "–")]
    public void Time_left_is_minutes_and_seconds(double seconds, string text) => Format.Duration(seconds).ShouldBe(text);

    [Theory]
    [InlineData("My Tool_v2", "my-tool_v2")]
    [InlineData("--lolcow--", "lolcow")]
    [InlineData("a..b", "a.b")]
    public void File_names_become_valid_container_names(string file, string name)
    {
        UploadNames.Suggest(file).ShouldBe(name);
        Registry.Core.Names.IsValid(name).ShouldBeTrue();
    }

    [Fact]
    public void Badges_escape_what_they_show() =>
        DownloadEndpoint.Badge("a<b", "c&d").ShouldContain("<text x=\"15\" y=\"14\">a&lt;b</text>");
}
