using Handshake.Runtime.Bootstrap;

// The smallest function: the event's bytes back as the response. The host's benchmark measures its own overhead with it.
return await LambdaRuntime.RunAsync(static async (payload, context, response) =>
    await payload.CopyToAsync(response).ConfigureAwait(false));
