using FluentValidation;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Registry.Core.Access;
using Registry.Core.Audit;
using Registry.Core.Data;
using Registry.Core.Identity;

namespace Registry.Core.Terms;

/// <summary>The terms of service: their text, the current version, and who agreed to it.</summary>
/// <remarks>The version is the larger of <see cref="AccountOptions.TermsVersion"/> and the one an admin published in the web UI
/// (kept in <c>terms.version</c> in the data folder, so publishing needs neither a restart nor a settings edit).</remarks>
public sealed class TermsService(IDbContextFactory<RegistryDbContext> dbFactory, IOptionsMonitor<AccountOptions> options, IOptions<RegistryOptions> registry)
{
    private string PublishedFile => Path.Combine(registry.Value.DataRoot, "terms.version");
    private string EditedFile => Path.Combine(registry.Value.DataRoot, "terms.md");
    private static readonly TermsTextValidator TextValidator = new();
    private int? published;

    /// <summary>The version users must have agreed to; 0 means there are no terms.</summary>
    public int CurrentVersion => Math.Max(options.CurrentValue.TermsVersion, published ??= ReadPublished());

    private int ReadPublished() =>
        File.Exists(PublishedFile) && int.TryParse(File.ReadAllText(PublishedFile).Trim(), out var v) ? v : 0;

    /// <summary>Admins publish a new version: everyone must agree again before doing anything.</summary>
    public async Task<Result<int>> PublishNewVersionAsync(Actor actor, CancellationToken ct = default)
    {
        if (!actor.IsAdmin) return Result.Forbidden("only admins publish terms");
        var next = CurrentVersion + 1;
        Directory.CreateDirectory(registry.Value.DataRoot);
        await File.WriteAllTextAsync(PublishedFile, next.ToString(), ct);
        published = next;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        AuditLog.Record(db, actor, "terms.publish", "terms", detail: next.ToString());
        await db.SaveChangesAsync(ct);
        return next;
    }

    /// <summary>
    /// Admins replace the text (kept in <c>terms.md</c> in the data folder; it wins over the settings). Saving alone asks
    /// nobody to agree again: publish a new version for that.
    /// </summary>
    public async Task<Result<bool>> SaveTextAsync(Actor actor, string text, CancellationToken ct = default)
    {
        if (!actor.IsAdmin) return Result.Forbidden("only admins edit the terms");
        text = (text ?? "").Replace("\r\n", "\n").Trim();
        if (TextValidator.Validate(text) is { IsValid: false } v) return Result.Invalid(v.Errors[0].ErrorMessage);
        Directory.CreateDirectory(registry.Value.DataRoot);
        // Written beside, then moved: a reader never sees half a text.
        var temp = $"{EditedFile}.{Guid.NewGuid():N}.new"; // one per save: two admins saving at once never share it
        await File.WriteAllTextAsync(temp, text + "\n", ct);
        File.Move(temp, EditedFile, overwrite: true);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        AuditLog.Record(db, actor, "terms.edit", "terms", detail: $"{text.Length} characters");
        await db.SaveChangesAsync(ct);
        return true;
    }

    /// <summary>Whether the user may act: there are no terms, or they agreed to the current version.</summary>
    public bool HasAgreed(RegistryUser user) => HasAgreed(user.AcceptedTermsVersion ?? 0);

    public bool HasAgreed(int acceptedVersion) => CurrentVersion <= 0 || acceptedVersion >= CurrentVersion;

    public async Task<bool> HasAgreedAsync(string userId, CancellationToken ct = default)
    {
        if (CurrentVersion <= 0) return true;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var accepted = await db.Users.Where(u => u.Id == userId).Select(u => u.AcceptedTermsVersion).FirstOrDefaultAsync(ct);
        return accepted >= CurrentVersion;
    }

    /// <summary>The terms as Markdown: the text an admin saved in the web UI, else the configured file, else the setting.</summary>
    public async Task<string> GetTextAsync(CancellationToken ct = default)
    {
        if (File.Exists(EditedFile)) return await File.ReadAllTextAsync(EditedFile, ct);
        var o = options.CurrentValue;
        if (!string.IsNullOrWhiteSpace(o.TermsFile))
        {
            var path = Path.GetFullPath(o.TermsFile);
            return File.Exists(path) ? await File.ReadAllTextAsync(path, ct) : $"(the terms file {o.TermsFile} is missing)";
        }
        return o.TermsText;
    }

    public Task AgreeAsync(Actor actor, CancellationToken ct = default) =>
        actor.IsAuthenticated ? RecordAgreementAsync(actor, actor.UserId!, ct) : Task.CompletedTask;

    /// <summary>
    /// Records that <paramref name="userId"/> agreed to the current version; <paramref name="by"/> is the user themselves,
    /// or an admin who collected the agreement elsewhere (robot accounts, accounts set up by script). The audit log tells which.
    /// </summary>
    public async Task RecordAgreementAsync(Actor by, string userId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var user = await db.Users.FirstOrDefaultAsync(u => u.Id == userId, ct);
        if (user is null) return;
        user.AcceptedTermsVersion = CurrentVersion;
        AuditLog.Record(db, by, "terms.agree", user.UserName!, detail: CurrentVersion.ToString());
        await db.SaveChangesAsync(ct);
    }

    /// <summary>How many users agreed to the current version, of how many.</summary>
    public async Task<(int Agreed, int Total)> CountAsync(CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var version = CurrentVersion;
        return (await db.Users.CountAsync(u => u.AcceptedTermsVersion >= version, ct), await db.Users.CountAsync(ct));
    }
}

/// <summary>The terms' text as an admin saves it.</summary>
public sealed class TermsTextValidator : AbstractValidator<string>
{
    public const int MaxLength = 100_000;

    public TermsTextValidator() => RuleFor(t => t)
        .NotEmpty().WithMessage("The terms can't be empty.")
        .MaximumLength(MaxLength).WithMessage($"The terms can be at most {MaxLength:N0} characters long.");
}
