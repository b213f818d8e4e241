// Column names that name a direct identifier (HIPAA Safe Harbor list and common hospital
// export headers). A matching column is dropped before any of its values is read.
const PHI_PATTERNS: RegExp[] = [
  /name/, // patient name, first/last name, physician name, …
  /birth|dob|born/,
  /address|street|city|zip|postcode|postal/,
  /phone|mobile|cell|fax|telephone|^tel/,
  /mrn|medicalrecord|recordnumber|hospitalnumber|chartnumber|^nhs|nhsnumber/,
  /ssn|socialsecurity|nationalid|passport|license|licence|insurance|healthplan|beneficiary/,
  /email|mail/,
  /accession|account|encounter|admission|visitnumber|visitid/,
  /date|dttm|datetime|timestamp/,
  /^ip$|ipaddress|url|website|device(serial|id)|serialnumber/,
  /photo|face|fingerprint|biometric/,
  /referring|physician|doctor|operator|institution|hospital|clinic/,
];

const squash = (s: string) =>
  s
    .toLowerCase()
    .normalize("NFKD")
    .replace(/[^a-z0-9]+/g, "");

/** True for a header that looks like PHI ("Patient Name", "DOB", "MRN", "Home address"…). */
export function looksLikePhiColumn(header: string): boolean {
  const s = squash(header);
  return PHI_PATTERNS.some((p) => p.test(s));
}
