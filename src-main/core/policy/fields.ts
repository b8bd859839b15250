/**
 * What each policy field means, with the knob a user already knows in strongSwan (charon /
 * swanctl / the Android app), Android's IKE library (android.net.ipsec.ike) and iOS (NEVPN /
 * configuration profiles). Shown by the custom policy editor; the README's policy format section
 * says the same. Facts from ../shared/docs/strongswan-behaviour.md unless noted.
 */

export interface PolicyFieldDoc {
  path: string;
  label: string;
  unit: string;
  help: string;
  strongswan: string;
  android: string;
  ios: string;
}

const NONE = 'no equivalent';

export const POLICY_FIELDS: readonly PolicyFieldDoc[] = [
  {
    path: 'client.keepaliveS',
    label: 'NAT-T keepalive interval',
    unit: 's (0 = off)',
    help: 'A 1-byte keepalive is sent after this long without any outbound packet, to keep the NAT mapping open. Each one can wake the radio.',
    strongswan: 'charon.keep_alive (default 20 s); the Android app uses 45 s, settable 10 to 120 s',
    android: 'IkeSessionParams.Builder.setNattKeepAliveDelaySeconds',
    ios: 'NATKeepAliveInterval (profile key; 20 s by default, 110 s when offloaded)',
  },
  {
    path: 'client.keepaliveOffload',
    label: 'Keepalive offload',
    unit: 'on/off',
    help: 'The modem sends keepalives by itself: the radio still wakes, the processor does not.',
    strongswan: NONE,
    android: 'SocketKeepalive (IKE library: automatic NAT-T keepalive offload where the device supports it)',
    ios: 'NATKeepAliveOffloadEnable (profile key)',
  },
  {
    path: 'client.keepaliveDpdMarginS',
    label: 'Keepalive to DPD margin',
    unit: 's',
    help: 'If more than interval + margin passed since the last outbound packet (the phone slept), a DPD is sent instead of a keepalive.',
    strongswan: 'charon.keep_alive_dpd_margin (default 0; the Android app sets 20 s)',
    android: NONE,
    ios: NONE,
  },
  {
    path: 'client.dpdDelayS',
    label: 'Client DPD delay',
    unit: 's (0 = off)',
    help: 'An empty INFORMATIONAL request after this long without anything received from the gateway.',
    strongswan: 'swanctl connections.<name>.dpd_delay (default 0 = off; off in the Android app)',
    android: 'IkeSessionParams.Builder.setDpdDelaySeconds',
    ios: 'DeadPeerDetectionRate: None / Low / Medium / High',
  },
  {
    path: 'client.dpdWithKeepalive',
    label: 'Fold DPD into keepalive tail',
    unit: 'on/off',
    help: 'Send a due DPD right after a keepalive, inside the radio tail it opened, instead of on its own timer.',
    strongswan: NONE,
    android: NONE,
    ios: NONE,
  },
  {
    path: 'client.retransmit.timeoutS',
    label: 'Retransmit timeout',
    unit: 's',
    help: 'Wait before the first retransmission; attempt n waits timeout × base^n.',
    strongswan: 'charon.retransmit_timeout (4.0; the Android app 2.0)',
    android: 'IkeSessionParams.Builder.setRetransmissionTimeoutsMillis (the whole list)',
    ios: NONE,
  },
  {
    path: 'client.retransmit.base',
    label: 'Retransmit base',
    unit: '×',
    help: 'Each retransmission waits this many times longer than the one before.',
    strongswan: 'charon.retransmit_base (1.8; the Android app 1.4)',
    android: 'IkeSessionParams.Builder.setRetransmissionTimeoutsMillis',
    ios: NONE,
  },
  {
    path: 'client.retransmit.tries',
    label: 'Retransmit tries',
    unit: 'count',
    help: 'Retransmissions before the peer is declared dead.',
    strongswan: 'charon.retransmit_tries (5; the Android app 3)',
    android: 'length of setRetransmissionTimeoutsMillis',
    ios: NONE,
  },
  {
    path: 'client.ikeRekeyS',
    label: 'IKE rekey time',
    unit: 's (0 = off)',
    help: 'The IKE_SA is rekeyed after this long, minus a random reduction.',
    strongswan: 'swanctl rekey_time (4 h; the Android app 10 h)',
    android: 'IkeSessionParams.Builder.setLifetimeSeconds (soft lifetime)',
    ios: 'IKESecurityAssociationParameters.LifeTimeInMinutes',
  },
  {
    path: 'client.childRekeyS',
    label: 'CHILD rekey time',
    unit: 's (0 = off)',
    help: 'The CHILD_SA (ESP) is rekeyed after this long, minus a random reduction.',
    strongswan: 'swanctl children.<name>.rekey_time (1 h; the Android app 2 h)',
    android: 'ChildSessionParams.Builder.setLifetimeSeconds (soft lifetime)',
    ios: 'ChildSecurityAssociationParameters.LifeTimeInMinutes',
  },
  {
    path: 'client.alarms',
    label: 'Alarm model',
    unit: 'exact / inexact',
    help: 'Exact alarms wake the processor on time; inexact ones wait for the next maintenance window every sleep interval.',
    strongswan: 'the Android app uses AlarmManager.setExactAndAllowWhileIdle (exact)',
    android: 'AlarmManager exact vs. inexact alarms, Doze maintenance windows',
    ios: 'the system schedules VPN timers itself',
  },
  {
    path: 'client.sleepIntervalS',
    label: 'Sleep interval',
    unit: 's',
    help: 'With inexact alarms: how often the phone wakes for a maintenance window.',
    strongswan: NONE,
    android: 'Doze maintenance windows (minutes, growing to about 15 min and more)',
    ios: NONE,
  },
  {
    path: 'gateway.dpdDelayS',
    label: 'Gateway DPD delay',
    unit: 's (0 = off)',
    help: 'The gateway sends a DPD after this long without anything received from the client; keepalives do not count.',
    strongswan: 'swanctl connections.<name>.dpd_delay on the gateway (default 0 = off)',
    android: NONE,
    ios: NONE,
  },
  {
    path: 'gateway.retransmit.tries',
    label: 'Gateway retransmit tries',
    unit: 'count',
    help: 'How many times the gateway retransmits before it clears the SA (charon defaults give up 165 s after the first send).',
    strongswan: 'charon.retransmit_tries on the gateway (5)',
    android: NONE,
    ios: NONE,
  },
  {
    path: 'gateway.dpdDeferMaxS',
    label: 'Defer DPD while the client sleeps',
    unit: 's (0 = off)',
    help: 'A gateway-side option: hold back DPD up to this long while the client is believed asleep.',
    strongswan: 'no charon option',
    android: NONE,
    ios: NONE,
  },
];
