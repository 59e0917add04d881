using EventRouter.Functions;
using Microsoft.Azure.Functions.Worker.Builder;

var builder = FunctionsApplication.CreateBuilder(args);
builder.AddEventRouterFunctions();
return await builder.Build().RunEventRouterAsync(Console.Error);
