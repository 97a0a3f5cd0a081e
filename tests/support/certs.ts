/** Throwaway TLS certificates for tests, made with the `openssl` command line. */

async function openssl(args: string[]): Promise<boolean> {
  try {
    const out = await new Deno.Command("openssl", { args, stdout: "null", stderr: "null" })
      .output();
    return out.success;
  } catch {
    return false; // not installed
  }
}

/** A throwaway CA and a leaf certificate for 127.0.0.1 made with openssl, or null without it. */
export async function makeCert(
  dir: string,
): Promise<{ ca: string; cert: string; key: string } | null> {
  const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
  await Deno.writeTextFile(
    `${dir}/leaf.ext`,
    "basicConstraints=CA:FALSE\nsubjectAltName=IP:127.0.0.1,DNS:localhost\n",
  );
  const steps = [
    [
      "req",
      "-x509",
      ...ec,
      "-days",
      "1",
      "-subj",
      "/CN=smppgw test CA",
      "-keyout",
      `${dir}/ca.key`,
      "-out",
      `${dir}/ca.pem`,
    ],
    [
      "req",
      ...ec,
      "-subj",
      "/CN=127.0.0.1",
      "-keyout",
      `${dir}/key.pem`,
      "-out",
      `${dir}/leaf.csr`,
    ],
    [
      "x509",
      "-req",
      "-in",
      `${dir}/leaf.csr`,
      "-CA",
      `${dir}/ca.pem`,
      "-CAkey",
      `${dir}/ca.key`,
      "-CAcreateserial",
      "-days",
      "1",
      "-extfile",
      `${dir}/leaf.ext`,
      "-out",
      `${dir}/cert.pem`,
    ],
  ];
  for (const args of steps) if (!(await openssl(args))) return null;
  const read = (f: string) => Deno.readTextFile(`${dir}/${f}`);
  return { ca: await read("ca.pem"), cert: await read("cert.pem"), key: await read("key.pem") };
}
