// Placeholder entry point until the host lands (issue 3): prints usage and fails.
Console.Error.WriteLine("eventrouter: no commands yet");
return 2;
