/** The `code` a promise rejects with ('resolved' if it does not): how the contract's errors are told apart. */
export async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    return (e as { code: string }).code;
  }
  return 'resolved';
}
