using System.Globalization;
using System.Management.Automation;
using System.Management.Automation.Host;
using System.Security;

namespace MilvusOps.Module.Tests;

/// <summary>
/// The hosted engine's PSHost in the module tests: Out-Default renders into a writer at a chosen width (so the
/// format views can be read back), the other streams go to another, and anything that would prompt fails clearly
/// instead of hanging the test.
/// </summary>
public sealed class RenderingHost : PSHost
{
    private readonly RenderingHostUserInterface _ui;

    /// <param name="plainText">Strip the ANSI styling PowerShell adds to headers, for files and pipes.</param>
    public RenderingHost(TextWriter output, TextWriter diagnostics, int bufferWidth = 120, bool plainText = true)
    {
        _ui = new RenderingHostUserInterface(output, diagnostics, bufferWidth, plainText);
    }

    public override CultureInfo CurrentCulture => CultureInfo.InvariantCulture;
    public override CultureInfo CurrentUICulture => CultureInfo.InvariantCulture;
    public override Guid InstanceId { get; } = Guid.NewGuid();
    public override string Name => "MilvusOpsTestHost";
    public override PSHostUserInterface UI => _ui;
    public override Version Version => new(1, 0);

    public override void EnterNestedPrompt() => throw new NotSupportedException("Nested prompts are not supported by this host.");
    public override void ExitNestedPrompt() => throw new NotSupportedException("Nested prompts are not supported by this host.");
    public override void NotifyBeginApplication() { }
    public override void NotifyEndApplication() { }
    public override void SetShouldExit(int exitCode) { }
}

internal sealed partial class RenderingHostUserInterface(TextWriter output, TextWriter diagnostics, int bufferWidth, bool plainText) : PSHostUserInterface
{
    public override PSHostRawUserInterface RawUI { get; } = new RenderingHostRawUserInterface(bufferWidth);
    public override bool SupportsVirtualTerminal => !plainText;

    public override void Write(string value) => output.Write(Render(value));
    public override void Write(ConsoleColor foregroundColor, ConsoleColor backgroundColor, string value) => output.Write(Render(value));
    public override void WriteLine(string value) => output.WriteLine(Render(value));
    public override void WriteErrorLine(string value) => diagnostics.WriteLine(Render(value));
    public override void WriteDebugLine(string message) => diagnostics.WriteLine("DEBUG: " + Render(message));
    public override void WriteVerboseLine(string message) => diagnostics.WriteLine("VERBOSE: " + Render(message));
    public override void WriteWarningLine(string message) => diagnostics.WriteLine("WARNING: " + Render(message));

    private string Render(string text) => plainText ? AnsiEscape().Replace(text, "") : text;

    [System.Text.RegularExpressions.GeneratedRegex(@"\x1b\[[0-9;?]*[A-Za-z]")]
    private static partial System.Text.RegularExpressions.Regex AnsiEscape();
    public override void WriteProgress(long sourceId, ProgressRecord record) { }

    public override string ReadLine() => throw NonInteractive();
    public override SecureString ReadLineAsSecureString() => throw NonInteractive();
    public override Dictionary<string, PSObject> Prompt(string caption, string message, System.Collections.ObjectModel.Collection<FieldDescription> descriptions) => throw NonInteractive();
    public override int PromptForChoice(string caption, string message, System.Collections.ObjectModel.Collection<ChoiceDescription> choices, int defaultChoice) =>
        throw NonInteractive($"{caption}: {message} (pass -Confirm:$false to proceed without asking)");
    public override PSCredential PromptForCredential(string caption, string message, string userName, string targetName) => throw NonInteractive();
    public override PSCredential PromptForCredential(string caption, string message, string userName, string targetName, PSCredentialTypes allowedCredentialTypes, PSCredentialUIOptions options) => throw NonInteractive();

    private static PSInvalidOperationException NonInteractive(string? what = null) =>
        new("The test host is non-interactive and cannot prompt" + (what is null ? "." : ": " + what));
}

internal sealed class RenderingHostRawUserInterface(int bufferWidth) : PSHostRawUserInterface
{
    public override ConsoleColor BackgroundColor { get; set; } = ConsoleColor.Black;
    public override ConsoleColor ForegroundColor { get; set; } = ConsoleColor.Gray;
    public override Size BufferSize { get => new(bufferWidth, 9999); set { } }
    public override Coordinates CursorPosition { get; set; }
    public override int CursorSize { get; set; }
    public override bool KeyAvailable => false;
    public override Size MaxPhysicalWindowSize => new(bufferWidth, 100);
    public override Size MaxWindowSize => new(bufferWidth, 100);
    public override Coordinates WindowPosition { get; set; }
    public override Size WindowSize { get => new(bufferWidth, 100); set { } }
    public override string WindowTitle { get; set; } = "MilvusOps";

    public override void FlushInputBuffer() { }
    public override BufferCell[,] GetBufferContents(Rectangle rectangle) => throw new NotSupportedException();
    public override KeyInfo ReadKey(ReadKeyOptions options) => throw new PSInvalidOperationException("The test host is non-interactive.");
    public override void ScrollBufferContents(Rectangle source, Coordinates destination, Rectangle clip, BufferCell fill) => throw new NotSupportedException();
    public override void SetBufferContents(Coordinates origin, BufferCell[,] contents) => throw new NotSupportedException();
    public override void SetBufferContents(Rectangle rectangle, BufferCell fill) => throw new NotSupportedException();
}
