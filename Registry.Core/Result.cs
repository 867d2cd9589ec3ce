namespace Registry.Core;

/// <summary>Expected outcomes of a Core operation; endpoints map them to status codes.</summary>
public enum Outcome
{
    Ok,
    Created,
    Invalid,
    Unauthorized,
    Forbidden,
    NotFound,
    Conflict,
    InsufficientStorage,
}

/// <summary>An operation's outcome, its value on success and a message meant for the user otherwise.</summary>
public readonly record struct Result<T>(Outcome Outcome, T? Value, string Message)
{
    public bool Succeeded => Outcome is Outcome.Ok or Outcome.Created;

    public static implicit operator Result<T>(T value) => new(Outcome.Ok, value, "");
    public static implicit operator Result<T>(Result.Failure failure) => new(failure.Outcome, default, failure.Message);

    public Result<TOther> As<TOther>() => new(Outcome, default, Message);
}

public static class Result
{
    public static Result<T> Ok<T>(T value) => new(Outcome.Ok, value, "");
    public static Result<T> Created<T>(T value) => new(Outcome.Created, value, "");
    public static Failure Invalid(string message) => new(Outcome.Invalid, message);
    public static Failure Unauthorized(string message) => new(Outcome.Unauthorized, message);
    public static Failure Forbidden(string message) => new(Outcome.Forbidden, message);
    public static Failure NotFound(string message) => new(Outcome.NotFound, message);
    public static Failure Conflict(string message) => new(Outcome.Conflict, message);
    public static Failure InsufficientStorage(string message) => new(Outcome.InsufficientStorage, message);

    /// <summary>A failure that converts to any <see cref="Result{T}"/>.</summary>
    public readonly record struct Failure(Outcome Outcome, string Message);
}
