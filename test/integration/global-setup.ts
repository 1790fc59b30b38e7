// Placeholder: the sandbox issue replaces this with a global setup that starts the real backends.
export default async function setup(): Promise<void> {}
