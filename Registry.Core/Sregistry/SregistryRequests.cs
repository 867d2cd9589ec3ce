using FluentValidation;

namespace Registry.Core.Sregistry;

/// <summary><c>POST /api/upload/chunked_upload</c> body: <c>{"collection", "name", "tag"}</c> (lowercased by the client; tag defaults to latest).</summary>
public sealed record SregistryPushRequest(string? Collection, string? Name, string? Tag)
{
    public string TagOrLatest => string.IsNullOrEmpty(Tag) ? "latest" : Tag.ToLowerInvariant();
}

public sealed class SregistryPushRequestValidator : AbstractValidator<SregistryPushRequest>
{
    public SregistryPushRequestValidator()
    {
        RuleFor(r => r.Collection).Must(c => Names.IsValid(c?.ToLowerInvariant())).WithMessage(r => $"'{Clip(r.Collection)}' is not a valid collection name: use {Names.Rule}");
        RuleFor(r => r.Name).Must(n => Names.IsValid(n?.ToLowerInvariant())).WithMessage(r => $"'{Clip(r.Name)}' is not a valid container name: use {Names.Rule}");
        RuleFor(r => r.TagOrLatest).Must(Names.IsValid).WithMessage(r => $"'{Clip(r.Tag)}' is not a valid tag: use {Names.Rule}");
    }

    private static string Clip(string? s) => s is null ? "" : s.Length <= 60 ? s : s[..60] + "…";
}
