global using System.Management.Automation;
global using Xunit;
