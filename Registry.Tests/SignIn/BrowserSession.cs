using System.Net;
using System.Text.RegularExpressions;

namespace Registry.Tests.SignIn;

/// <summary>
/// A cookie-keeping HTTP client that follows redirects by hand (across hosts, like a browser) and fills static SSR forms:
/// the antiforgery token and <c>_handler</c> come from the page's HTML.
/// </summary>
public sealed class BrowserSession(Uri baseAddress, IPAddress? from = null, CookieContainer? cookies = null) : IDisposable
{
    private readonly HttpClient http = new(Handler(from, cookies ?? new CookieContainer())) { BaseAddress = baseAddress };

    /// <summary>Connections leave from <paramref name="from"/> when given (another loopback address, e.g. 127.0.0.2: another client machine).</summary>
    private static SocketsHttpHandler Handler(IPAddress? from, CookieContainer cookies) => new()
    {
        AllowAutoRedirect = false,
        CookieContainer = cookies,
        ConnectCallback = from is null ? null : async (context, ct) =>
        {
            var socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
            try
            {
                socket.Bind(new IPEndPoint(from, 0));
                await socket.ConnectAsync(context.DnsEndPoint, ct);
                return new System.Net.Sockets.NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    };

    /// <summary>Every address visited while following redirects, in order.</summary>
    public List<Uri> Visited { get; } = [];

    public record Page(HttpStatusCode Status, Uri Address, string Html, HttpResponseMessage Response);

    public async Task<Page> GetAsync(string url, bool follow = true) => await FinishAsync(await http.GetAsync(url), new Uri(baseAddress, url), follow);

    /// <summary>Posts the form named <paramref name="formName"/> (its <c>_handler</c>) found on <paramref name="page"/>, with its hidden fields plus <paramref name="fields"/>.</summary>
    public async Task<Page> SubmitAsync(Page page, string? formName, Dictionary<string, string> fields, string? action = null, bool follow = true)
    {
        var values = new Dictionary<string, string> { ["__RequestVerificationToken"] = Hidden(page.Html, "__RequestVerificationToken") };
        if (formName is not null) values["_handler"] = formName;
        foreach (var (key, value) in fields) values[key] = value;
        var target = action is null ? page.Address : new Uri(page.Address, action);
        return await FinishAsync(await http.PostAsync(target, new FormUrlEncodedContent(values)), target, follow);
    }

    /// <summary>A request the page's script would make (fetch), with the session's cookies.</summary>
    public Task<HttpResponseMessage> SendAsync(HttpRequestMessage request) => http.SendAsync(request);

    public async Task<Page> FollowAsync(Page page)
    {
        var response = page.Response;
        var address = page.Address;
        for (var hops = 0; hops < 10 && (int)response.StatusCode is >= 300 and < 400; hops++)
        {
            address = new Uri(address, response.Headers.Location!);
            Visited.Add(address);
            response = await http.GetAsync(address);
        }
        return new Page(response.StatusCode, address, await response.Content.ReadAsStringAsync(), response);
    }

    private async Task<Page> FinishAsync(HttpResponseMessage response, Uri address, bool follow)
    {
        var page = new Page(response.StatusCode, address, await response.Content.ReadAsStringAsync(), response);
        return follow ? await FollowAsync(page) : page;
    }

    public static string Hidden(string html, string name)
    {
        var match = Regex.Match(html, $"""<input[^>]*name="{Regex.Escape(name)}"[^>]*value="([^"]*)"|<input[^>]*value="([^"]*)"[^>]*name="{Regex.Escape(name)}" """.Trim());
        match.Success.ShouldBeTrue($"no hidden field {name} in the page");
        return WebUtility.HtmlDecode(match.Groups[1].Success ? match.Groups[1].Value : match.Groups[2].Value);
    }

    public void Dispose() => http.Dispose();
}
