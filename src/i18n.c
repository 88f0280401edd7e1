/* Message catalogs (see i18n.h). One row per message, the four languages side by side in
 * enum i18n_lang order (en, de, it, ro): adding a message means adding one row here and one
 * enum value (the Jitsi Meet notice's rows are in src/i18n_jitsi.inc, included in the
 * table); tests/unit/test_ui_i18n.c checks that every row is complete and that each
 * translation uses exactly the placeholders of the English text. German uses "Sie",
 * Romanian "dumneavoastră", Italian the informal "tu" usual in software.
 */
#include "src/i18n.h"

#include <langinfo.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct entry {
	const char *s[I18N_LANG_COUNT];
};

#define T(en, de, it, ro) { { en, de, it, ro } }

static const struct entry catalog[I18N_MSG_COUNT] = {
	/* ---- privacy notice ---- */
	[I18N_NOTICE_TITLE] = T("Privacy notice",
		"Datenschutzhinweis",
		"Informativa sulla privacy",
		"Notă de confidențialitate"),
	[I18N_NOTICE_INTRO] = T(
		"Before you join room {1} on {2}, this is what happens to your data.",
		"Bevor Sie Raum {1} auf {2} betreten: Das geschieht mit Ihren Daten.",
		"Prima di entrare nella stanza {1} su {2}, ecco cosa succede ai tuoi dati.",
		"Înainte să intrați în camera {1} de pe {2}, iată ce se întâmplă cu datele "
		"dumneavoastră."),
	[I18N_NOTICE_ROOM_AUTO] = T(
		"Room {1} is the server's video room (each person's stream forwarded to everyone) "
		"when people publish there and its audio bridge room {1} is empty or missing, "
		"otherwise its audio bridge (everyone's audio mixed by the server); the status bar "
		"says which (--room-type chooses).",
		"Raum {1} ist der Videoraum des Servers (der Stream jeder Person wird an alle "
		"weitergeleitet), wenn dort jemand sendet und seine Audiobrücke {1} leer ist oder "
		"fehlt, sonst seine Audiobrücke (der Server mischt den Ton aller); die Statuszeile "
		"sagt, welcher (--room-type wählt).",
		"La stanza {1} è la video room del server (il flusso di ciascuno inoltrato a tutti) "
		"se qualcuno vi trasmette e il suo audio bridge {1} è vuoto o assente, altrimenti il "
		"suo audio bridge (il server mescola l'audio di tutti); la barra di stato dice quale "
		"(--room-type sceglie).",
		"Camera {1} este camera video a serverului (fluxul fiecăruia este trimis tuturor) "
		"dacă cineva transmite acolo și puntea audio {1} este goală sau lipsește, altfel "
		"puntea audio (serverul mixează sunetul tuturor); bara de stare spune care "
		"(--room-type alege)."),
	[I18N_NOTICE_ROOM_AUDIOBRIDGE] = T(
		"Room {1} is the server's audio bridge (--room-type audiobridge): it mixes "
		"everyone's audio and sends each participant one mix.",
		"Raum {1} ist die Audiobrücke des Servers (--room-type audiobridge): Er mischt den "
		"Ton aller und sendet jeder Person eine Mischung.",
		"La stanza {1} è l'audio bridge del server (--room-type audiobridge): mescola "
		"l'audio di tutti e invia a ciascuno un unico mix.",
		"Camera {1} este puntea audio a serverului (--room-type audiobridge): mixează "
		"sunetul tuturor și trimite fiecăruia un singur mix."),
	[I18N_NOTICE_ROOM_VIDEOROOM] = T(
		"Room {1} is the server's video room (--room-type videoroom): it forwards your "
		"audio (and video) as your own stream to every participant.",
		"Raum {1} ist der Videoraum des Servers (--room-type videoroom): Er leitet Ihren "
		"Ton (und Ihr Video) als Ihren eigenen Stream an alle weiter.",
		"La stanza {1} è la video room del server (--room-type videoroom): inoltra il tuo "
		"audio (e video) come flusso separato a ogni partecipante.",
		"Camera {1} este camera video a serverului (--room-type videoroom): trimite "
		"sunetul (și video-ul) dumneavoastră ca flux separat fiecărui participant."),
	[I18N_NOTICE_SENT_TO] = T("Sent to the meeting server {1}:",
		"An den Meeting-Server {1} gesendet werden:",
		"Inviati al server della riunione {1}:",
		"Se trimit către serverul întâlnirii {1}:"),
	[I18N_NOTICE_NAME] = T("your display name \"{1}\" and your IP address;",
		"Ihr Anzeigename „{1}“ und Ihre IP-Adresse;",
		"il tuo nome visualizzato «{1}» e il tuo indirizzo IP;",
		"numele afișat „{1}” și adresa dumneavoastră IP;"),
	[I18N_NOTICE_AUDIO] = T("your audio, only while you are not muted;",
		"Ihr Ton, nur solange Sie nicht stummgeschaltet sind;",
		"il tuo audio, solo quando il microfono non è disattivato;",
		"sunetul dumneavoastră, doar cât timp microfonul nu este oprit;"),
	[I18N_NOTICE_AUDIO_MUTED] = T(
		"your audio, only while you are not muted (you join muted);",
		"Ihr Ton, nur solange Sie nicht stummgeschaltet sind (Sie treten stumm bei);",
		"il tuo audio, solo quando il microfono non è disattivato (entri con il "
		"microfono disattivato);",
		"sunetul dumneavoastră, doar cât timp microfonul nu este oprit (intrați cu "
		"microfonul oprit);"),
	[I18N_NOTICE_VIDEO_NO] = T("no video: you do not publish any;",
		"kein Video: Sie senden keines;",
		"nessun video: non ne pubblichi;",
		"niciun video: nu publicați video;"),
	[I18N_NOTICE_VIDEO_YES] = T("your video from {1}, while you publish it;",
		"Ihr Video aus {1}, solange Sie es senden;",
		"il tuo video da {1}, finché lo pubblichi;",
		"video-ul dumneavoastră din {1}, cât timp îl publicați;"),
	[I18N_NOTICE_CHAT] = T(
		"the chat messages you write, to the people in the room through the server.",
		"die Chatnachrichten, die Sie schreiben, über den Server an die Personen im Raum.",
		"i messaggi di chat che scrivi, alle persone nella stanza attraverso il server.",
		"mesajele de chat pe care le scrieți, către cei din cameră, prin server."),
	[I18N_NOTICE_WS_PLAIN] = T(
		"The connection to the server is not encrypted (ws://): anyone on the network path "
		"can read your display name, your IP addresses, the room number and the room pin, "
		"and can swap the key fingerprint of the audio and chat connection, and so listen "
		"to, read and change your audio and chat. wss:// prevents this.",
		"Die Verbindung zum Server ist nicht verschlüsselt (ws://): Jeder auf dem "
		"Netzwerkweg kann Ihren Anzeigenamen, Ihre IP-Adressen, die Raumnummer und die "
		"Raum-PIN lesen und den Schlüssel-Fingerabdruck der Ton- und Chatverbindung "
		"austauschen und so Ihren Ton und Chat mithören, mitlesen und verändern. wss:// "
		"verhindert das.",
		"La connessione al server non è cifrata (ws://): chiunque sul percorso di rete può "
		"leggere il tuo nome visualizzato, i tuoi indirizzi IP, il numero della stanza e il "
		"PIN della stanza, e può sostituire l'impronta della chiave della connessione audio "
		"e chat, e così ascoltare, leggere e modificare il tuo audio e la tua chat. wss:// "
		"lo impedisce.",
		"Conexiunea cu serverul nu este criptată (ws://): oricine de pe traseul rețelei "
		"poate citi numele afișat, adresele dumneavoastră IP, numărul camerei și PIN-ul "
		"camerei și poate înlocui amprenta cheii conexiunii de sunet și chat, putând astfel "
		"asculta, citi și modifica sunetul și chatul dumneavoastră. wss:// previne acest "
		"lucru."),
	[I18N_NOTICE_WSS] = T(
		"The connection to the server is encrypted and its certificate checked (wss://). "
		"Audio and chat are encrypted between you and the server (DTLS-SRTP, DTLS) with "
		"keys whose fingerprint comes over that connection; the server itself decrypts them.",
		"Die Verbindung zum Server ist verschlüsselt und sein Zertifikat geprüft (wss://). "
		"Ton und Chat sind zwischen Ihnen und dem Server verschlüsselt (DTLS-SRTP, DTLS), "
		"mit Schlüsseln, deren Fingerabdruck über diese Verbindung kommt; der Server selbst "
		"entschlüsselt sie.",
		"La connessione al server è cifrata e il suo certificato verificato (wss://). Audio "
		"e chat sono cifrati tra te e il server (DTLS-SRTP, DTLS) con chiavi la cui impronta "
		"arriva da quella connessione; il server stesso li decifra.",
		"Conexiunea cu serverul este criptată, iar certificatul său verificat (wss://). "
		"Sunetul și chatul sunt criptate între dumneavoastră și server (DTLS-SRTP, DTLS), "
		"cu chei a căror amprentă vine prin această conexiune; serverul însuși le "
		"decriptează."),
#include "src/i18n_jitsi.inc"
	[I18N_NOTICE_WSS_INSECURE] = T(
		"The connection to the server is encrypted (wss://), but its certificate is NOT "
		"checked (--insecure), so the server's identity is not verified: anyone on the "
		"network path can pose as the server, and so read the room pin and listen to, read "
		"and change your audio and chat.",
		"Die Verbindung zum Server ist verschlüsselt (wss://), aber sein Zertifikat wird "
		"NICHT geprüft (--insecure), die Identität des Servers ist also nicht bestätigt: "
		"Jeder auf dem Netzwerkweg kann sich als Server ausgeben und so die Raum-PIN lesen "
		"und Ihren Ton und Chat mithören, mitlesen und verändern.",
		"La connessione al server è cifrata (wss://), ma il suo certificato NON viene "
		"verificato (--insecure), quindi l'identità del server non è accertata: chiunque sul "
		"percorso di rete può fingersi il server, e così leggere il PIN della stanza e "
		"ascoltare, leggere e modificare il tuo audio e la tua chat.",
		"Conexiunea cu serverul este criptată (wss://), dar certificatul său NU este "
		"verificat (--insecure), deci identitatea serverului nu este confirmată: oricine de "
		"pe traseul rețelei se poate da drept server și astfel poate citi PIN-ul camerei și "
		"poate asculta, citi și modifica sunetul și chatul dumneavoastră."),
	[I18N_NOTICE_ICE] = T("Your IP address is also sent to {1} (--stun/--turn).",
		"Ihre IP-Adresse wird außerdem an {1} gesendet (--stun/--turn).",
		"Il tuo indirizzo IP viene inviato anche a {1} (--stun/--turn).",
		"Adresa dumneavoastră IP este trimisă și către {1} (--stun/--turn)."),
	[I18N_NOTICE_KEPT] = T(
		"Kept by ttymeet: nothing on disk — no chat logs, no history, no settings, "
		"no telemetry.",
		"Was ttymeet speichert: nichts auf der Festplatte — keine Chatprotokolle, kein "
		"Verlauf, keine Einstellungen, keine Telemetrie.",
		"Cosa conserva ttymeet: niente su disco — nessun registro della chat, nessuna "
		"cronologia, nessuna impostazione, nessuna telemetria.",
		"Ce păstrează ttymeet: nimic pe disc — niciun jurnal de chat, niciun istoric, "
		"nicio setare, nicio telemetrie."),
	[I18N_NOTICE_LOG] = T(
		"One exception you asked for: diagnostics are written to {1} (--log); they never "
		"contain chat text.",
		"Eine Ausnahme haben Sie selbst gewählt: Diagnosemeldungen werden in {1} "
		"geschrieben (--log); sie enthalten nie Chattext.",
		"Un'eccezione l'hai chiesta tu: i messaggi diagnostici vengono scritti in {1} "
		"(--log); non contengono mai testo della chat.",
		"O excepție ați cerut-o chiar dumneavoastră: mesajele de diagnosticare sunt "
		"scrise în {1} (--log); nu conțin niciodată text din chat."),
	[I18N_NOTICE_RECORD] = T(
		"One exception you asked for: what you hear is recorded to {1} (--record).",
		"Eine Ausnahme haben Sie selbst gewählt: Was Sie hören, wird in {1} aufgezeichnet "
		"(--record).",
		"Un'eccezione l'hai chiesta tu: ciò che ascolti viene registrato in {1} "
		"(--record).",
		"O excepție ați cerut-o chiar dumneavoastră: ceea ce auziți este înregistrat în "
		"{1} (--record)."),
	[I18N_NOTICE_MEMORY] = T(
		"Chat history, messages waiting to be sent and the lines you type live in "
		"locked memory (never swapped out) and are wiped when ttymeet exits, also "
		"after a second Ctrl-C. The other copies ttymeet itself makes of a message on "
		"its way are in locked memory too (the JSON it is parsed into or sent as, the "
		"plaintext of DTLS records, SCTP packets and the buffer they are reassembled "
		"in, the line --headless writes, the stack while a message is handled); the "
		"copies on the heap are overwritten as soon as they are freed. Core dumps are "
		"disabled.",
		"Chatverlauf, noch nicht gesendete Nachrichten und die Zeilen, die Sie tippen, "
		"liegen in gesperrtem Arbeitsspeicher (wird nie ausgelagert) und werden beim "
		"Beenden von ttymeet gelöscht, auch nach einem zweiten Strg-C. Auch die "
		"anderen Kopien, die ttymeet selbst unterwegs von einer Nachricht anlegt, "
		"liegen in gesperrtem Speicher (das JSON, in das sie zerlegt oder als das sie "
		"gesendet wird, der Klartext der DTLS-Datensätze, SCTP-Pakete und der Puffer, "
		"in dem sie zusammengesetzt werden, die Zeile, die --headless ausgibt, der "
		"Stack, während eine Nachricht bearbeitet wird); die Kopien auf dem Heap "
		"werden überschrieben, sobald sie freigegeben werden. Core-Dumps sind "
		"abgeschaltet.",
		"La cronologia della chat, i messaggi in attesa di invio e le righe che scrivi "
		"restano in memoria bloccata (mai scritta nello swap) e vengono cancellati "
		"quando ttymeet termina, anche dopo un secondo Ctrl-C. Anche le altre copie di "
		"un messaggio che ttymeet stesso crea lungo il percorso sono in memoria "
		"bloccata (il JSON in cui viene analizzato o con cui viene inviato, il "
		"contenuto in chiaro dei record DTLS, i pacchetti SCTP e il buffer in cui "
		"vengono ricomposti, la riga scritta da --headless, lo stack mentre il "
		"messaggio viene elaborato); le copie nello heap vengono sovrascritte appena "
		"liberate. I core dump sono disattivati.",
		"Istoricul chatului, mesajele care așteaptă să fie trimise și rândurile pe "
		"care le tastați stau în memorie blocată (niciodată mutată în swap) și sunt "
		"șterse când ttymeet se închide, inclusiv după un al doilea Ctrl-C. Tot în "
		"memorie blocată sunt și celelalte copii ale unui mesaj pe care ttymeet însuși "
		"le face pe parcurs (JSON-ul în care este citit sau cu care este trimis, "
		"conținutul în clar al înregistrărilor DTLS, pachetele SCTP și bufferul în "
		"care sunt reasamblate, rândul scris de --headless, stiva în timp ce mesajul "
		"este prelucrat); copiile din heap sunt suprascrise imediat ce sunt eliberate. "
		"Core dump-urile sunt dezactivate."),
	[I18N_NOTICE_MEMORY_UNLOCKED] = T(
		"Chat memory is NOT locked here (RLIMIT_MEMLOCK allows {1} KB, {2} KB are "
		"needed): the chat and ttymeet's other copies of messages may be swapped out "
		"to disk. The chat is still wiped when ttymeet exits, also after a second "
		"Ctrl-C, and the other copies on the heap are overwritten when they are freed. "
		"Core dumps are disabled.",
		"Der Chatspeicher ist hier NICHT gesperrt (RLIMIT_MEMLOCK erlaubt {1} KB, {2} "
		"KB werden gebraucht): Der Chat und die anderen Kopien, die ttymeet von "
		"Nachrichten anlegt, können auf die Festplatte ausgelagert werden. Der Chat "
		"wird trotzdem beim Beenden von ttymeet gelöscht, auch nach einem zweiten "
		"Strg-C, und die anderen Kopien auf dem Heap werden beim Freigeben "
		"überschrieben. Core-Dumps sind abgeschaltet.",
		"La memoria della chat qui NON è bloccata (RLIMIT_MEMLOCK consente {1} KB, ne "
		"servono {2} KB): la chat e le altre copie dei messaggi create da ttymeet "
		"possono finire nello swap su disco. La chat viene comunque cancellata quando "
		"ttymeet termina, anche dopo un secondo Ctrl-C, e le altre copie nello heap "
		"vengono sovrascritte quando sono liberate. I core dump sono disattivati.",
		"Memoria chatului NU este blocată aici (RLIMIT_MEMLOCK permite {1} KB, sunt "
		"necesari {2} KB): chatul și celelalte copii ale mesajelor făcute de ttymeet "
		"pot fi mutate în swap, pe disc. Chatul este totuși șters când ttymeet se "
		"închide, inclusiv după un al doilea Ctrl-C, iar celelalte copii din heap sunt "
		"suprascrise când sunt eliberate. Core dump-urile sunt dezactivate."),
	[I18N_NOTICE_OUTSIDE] = T(
		"Outside ttymeet's control, and not locked: the copies inside the libraries "
		"that carry or draw the chat (usrsctp's buffers for the data channel; "
		"OpenSSL's record buffers, which it overwrites once a record is read; ncurses' "
		"copies of the screen); the kernel's buffers of the terminal or pipe the "
		"output passes through; your terminal and its scrollback (the terminal UI "
		"draws on the alternate screen, which terminals normally keep out of the "
		"scrollback, and blanks it on exit; --headless output goes wherever you send "
		"it); and the server, which can read every message.",
		"Außerhalb der Kontrolle von ttymeet und nicht gesperrt: die Kopien in den "
		"Bibliotheken, die den Chat transportieren oder anzeigen (die Puffer von "
		"usrsctp für den Datenkanal; die Datensatzpuffer von OpenSSL, die es "
		"überschreibt, sobald ein Datensatz gelesen ist; die Kopien des Bildschirms in "
		"ncurses); die Puffer des Kernels für das Terminal oder die Pipe, durch die "
		"die Ausgabe geht; Ihr Terminal und sein Scrollback (die Oberfläche zeichnet "
		"auf dem alternativen Bildschirm, den Terminals normalerweise aus dem "
		"Scrollback heraushalten, und leert ihn beim Beenden; die Ausgabe von "
		"--headless geht dorthin, wohin Sie sie leiten); und der Server, der jede "
		"Nachricht lesen kann.",
		"Fuori dal controllo di ttymeet, e non bloccate: le copie nelle librerie che "
		"trasportano o mostrano la chat (i buffer di usrsctp per il canale dati; i "
		"buffer dei record di OpenSSL, che li sovrascrive dopo aver letto ogni record; "
		"le copie dello schermo di ncurses); i buffer del kernel per il terminale o la "
		"pipe attraverso cui passa l'output; il tuo terminale e il suo storico di "
		"scorrimento (l'interfaccia disegna sullo schermo alternativo, che i terminali "
		"di norma tengono fuori dallo storico, e lo svuota all'uscita; l'output di "
		"--headless va dove lo mandi tu); e il server, che può leggere ogni messaggio.",
		"În afara controlului ttymeet, și neblocate: copiile din bibliotecile care "
		"transportă sau afișează chatul (bufferele usrsctp pentru canalul de date; "
		"bufferele de înregistrări ale OpenSSL, pe care le suprascrie după ce citește "
		"fiecare înregistrare; copiile ecranului din ncurses); bufferele nucleului "
		"pentru terminalul sau pipe-ul prin care trece ieșirea; terminalul "
		"dumneavoastră și istoricul său de derulare (interfața desenează pe ecranul "
		"alternativ, pe care terminalele de obicei îl țin în afara istoricului, și îl "
		"golește la ieșire; ieșirea lui --headless ajunge unde o trimiteți); și "
		"serverul, care poate citi fiecare mesaj."),
	[I18N_NOTICE_OPERATOR] = T(
		"The server operator's own processing (logs, recordings, retention) is theirs, "
		"not ttymeet's.",
		"Was der Serverbetreiber selbst verarbeitet (Protokolle, Aufzeichnungen, "
		"Aufbewahrung), liegt in seiner Verantwortung, nicht in der von ttymeet.",
		"Ciò che fa il gestore del server (log, registrazioni, conservazione) è "
		"responsabilità sua, non di ttymeet.",
		"Ce prelucrează operatorul serverului (jurnale, înregistrări, păstrare) ține de "
		"el, nu de ttymeet."),
	[I18N_NOTICE_OPERATOR_HEAD] = T("Notice from the server operator ({1}):",
		"Hinweis des Serverbetreibers ({1}):",
		"Informativa del gestore del server ({1}):",
		"Nota operatorului serverului ({1}):"),
	[I18N_NOTICE_OPERATOR_NONE] = T(
		"No notice from the operator was given (--privacy-notice FILE); ask them what "
		"they keep.",
		"Es wurde kein Hinweis des Betreibers angegeben (--privacy-notice DATEI); fragen "
		"Sie ihn, was er speichert.",
		"Nessuna informativa del gestore è stata fornita (--privacy-notice FILE); "
		"chiedigli cosa conserva.",
		"Nu a fost dată nicio notă a operatorului (--privacy-notice FIȘIER); întrebați-l "
		"ce păstrează."),
	[I18N_NOTICE_OPERATOR_CUT] = T("(The operator's notice was cut after {1} bytes.)",
		"(Der Hinweis des Betreibers wurde nach {1} Bytes abgeschnitten.)",
		"(L'informativa del gestore è stata troncata dopo {1} byte.)",
		"(Nota operatorului a fost tăiată după {1} octeți.)"),
	[I18N_NOTICE_KEYS_FIRST] = T(
		"Enter: accept and join   q / Esc: decline and quit   Up/Down: scroll",
		"Enter: annehmen und beitreten   q / Esc: ablehnen und beenden   Auf/Ab: blättern",
		"Invio: accetta ed entra   q / Esc: rifiuta ed esci   Su/Giù: scorri",
		"Enter: accept și intru   q / Esc: refuz și ies   Sus/Jos: derulare"),
	[I18N_NOTICE_KEYS_AGAIN] = T("Esc, q or Enter: back to the meeting   Up/Down: scroll",
		"Esc, q oder Enter: zurück zum Meeting   Auf/Ab: blättern",
		"Esc, q o Invio: torna alla riunione   Su/Giù: scorri",
		"Esc, q sau Enter: înapoi la întâlnire   Sus/Jos: derulare"),
	[I18N_NOTICE_TOO_SMALL_ENTER] = T(
		"Enlarge the window to read the notice; q or Esc quits.",
		"Vergrößern Sie das Fenster, um den Hinweis zu lesen; q oder Esc beendet.",
		"Ingrandisci la finestra per leggere l'informativa; q o Esc per uscire.",
		"Măriți fereastra pentru a citi nota; q sau Esc pentru ieșire."),

	/* ---- title and status bars ---- */
	[I18N_TITLE_ROOM] = T("room {1} on {2}", "Raum {1} auf {2}", "stanza {1} su {2}",
		"camera {1} pe {2}"),
	[I18N_TITLE_PEOPLE] = T("{1} in the room", "{1} im Raum", "{1} nella stanza",
		"{1} în cameră"),
	[I18N_TITLE_HELP] = T("F1 help", "F1 Hilfe", "F1 aiuto", "F1 ajutor"),
	[I18N_ST_IDLE] = T("not connected", "nicht verbunden", "non connesso", "neconectat"),
	[I18N_ST_CONNECTING] = T("connecting", "verbinde", "connessione", "conectare"),
	[I18N_ST_JOINED] = T("joined, audio starting", "beigetreten, Ton startet",
		"entrato, audio in avvio", "intrat, sunetul pornește"),
	[I18N_ST_AUDIO_OK] = T("audio ok", "Ton ok", "audio ok", "sunet ok"),
	[I18N_ST_AUDIO_FAILED] = T("audio failed", "Ton gescheitert", "audio fallito",
		"sunet eșuat"),
	[I18N_ST_RECONNECTING] = T("lost contact with the server: reconnecting (try {1})",
		"keine Verbindung zum Server: verbinde neu (Versuch {1})",
		"contatto con il server perso: riconnessione (tentativo {1})",
		"legătura cu serverul s-a pierdut: reconectare (încercarea {1})"),
	[I18N_ST_LEFT] = T("left", "verlassen", "uscito", "ieșit"),
	[I18N_ST_MIC_ON] = T("mic on", "Mikro an", "micro attivo", "micro pornit"),
	[I18N_ST_ROOM_AUDIOBRIDGE] = T("audio bridge", "Audiobrücke", "audio bridge",
				       "punte audio"),
	[I18N_ST_ROOM_VIDEOROOM] = T("video room", "Videoraum", "video room", "cameră video"),
	[I18N_ST_ROOM_JITSI] = T("Jitsi Meet (participants and chat only)",
		"Jitsi Meet (nur Teilnehmer und Chat)", "Jitsi Meet (solo partecipanti e chat)",
		"Jitsi Meet (doar participanți și chat)"),
	[I18N_ST_MIC_OFF] = T("MUTED", "STUMM", "MUTO", "MUT"),
	[I18N_ST_NO_MIC] = T("no mic", "kein Mikro", "nessun micro", "fără microfon"),
	[I18N_ST_NO_SPEAKER] = T("no speaker", "kein Lautsprecher", "nessun altoparlante",
		"fără difuzor"),
	[I18N_ST_PTT_IDLE] = T("PTT: F5 to talk", "PTT: F5 zum Sprechen", "PTT: F5 per parlare",
		"PTT: F5 ca să vorbiți"),
	[I18N_ST_PTT_TALK] = T("PTT: talking", "PTT: Sie sprechen", "PTT: parli",
		"PTT: vorbiți"),
	[I18N_ST_KBPS] = T("in {1} out {2} kbps", "ein {1} aus {2} kbit/s",
		"ric {1} inv {2} kbps", "primit {1} trimis {2} kbps"),
	[I18N_ST_RTT] = T("RTT {1} ms", "RTT {1} ms", "RTT {1} ms", "RTT {1} ms"),
	[I18N_ST_LOSS] = T("loss {1}%", "Verlust {1} %", "perdita {1}%", "pierderi {1}%"),

	/* ---- panes ---- */
	[I18N_ROSTER_TITLE] = T("People", "Personen", "Persone", "Participanți"),
	[I18N_ROSTER_YOU] = T("(you)", "(Sie)", "(tu)", "(dvs.)"),
	[I18N_ROSTER_CHAT_ONLY] = T("(chat)", "(Chat)", "(chat)", "(chat)"),
	[I18N_ROSTER_MODERATOR] = T("(moderator)", "(Moderator)", "(moderatore)", "(moderator)"),
	[I18N_ROSTER_MORE] = T("+{1} more", "+{1} weitere", "+{1} altri", "+{1} alții"),
	[I18N_VIDEO_TITLE] = T("Video", "Video", "Video", "Video"),
	[I18N_VIDEO_NONE] = T("no video", "kein Video", "nessun video", "niciun video"),
	[I18N_VIDEO_UNREAD] = T("{1} new in the chat", "{1} neu im Chat", "{1} nuovi nella chat",
		"{1} noi în chat"),
	[I18N_CHAT_TITLE] = T("Chat", "Chat", "Chat", "Chat"),
	[I18N_CHAT_UNREAD] = T("{1} new below — PgDn", "{1} neu unten — PgDn",
		"{1} nuovi sotto — PgDn", "{1} noi mai jos — PgDn"),
	[I18N_CHAT_PRIVATE] = T("private", "privat", "privato", "privat"),
	[I18N_CHAT_HISTORY] = T("earlier", "früher", "prima", "anterior"),
	[I18N_INPUT_PROMPT_HINT] = T("type to chat, /help for commands",
		"tippen zum Chatten, /help für Befehle",
		"scrivi per chattare, /help per i comandi",
		"scrieți pentru chat, /help pentru comenzi"),
	[I18N_TOO_SMALL] = T("Terminal too small: {1}; ttymeet needs at least {2}.",
		"Terminal zu klein: {1}; ttymeet braucht mindestens {2}.",
		"Terminale troppo piccolo: {1}; ttymeet richiede almeno {2}.",
		"Terminal prea mic: {1}; ttymeet are nevoie de cel puțin {2}."),

	/* ---- system lines ---- */
	[I18N_SYS_CONNECTING] = T("Connecting to {1}…", "Verbinde mit {1}…",
		"Connessione a {1}…", "Conectare la {1}…"),
	[I18N_SYS_JOINED] = T("You joined room {1} as {2}.",
		"Sie sind Raum {1} als {2} beigetreten.",
		"Sei entrato nella stanza {1} come {2}.",
		"Ați intrat în camera {1} ca {2}."),
	[I18N_SYS_PEER_JOINED] = T("{1} joined.", "{1} ist beigetreten.", "{1} è entrato.",
		"{1} a intrat."),
	[I18N_SYS_PEER_JOINED_CHAT] = T("{1} joined the chat (not the call).",
		"{1} ist dem Chat beigetreten (nicht dem Gespräch).",
		"{1} è entrato nella chat (non nella chiamata).",
		"{1} a intrat în chat (nu și în apel)."),
	[I18N_SYS_PEER_LEFT] = T("{1} left.", "{1} ist gegangen.", "{1} è uscito.",
		"{1} a ieșit."),
	[I18N_SYS_MODERATOR] = T("You are a moderator of this meeting.",
		"Sie sind Moderator dieses Meetings.", "Sei moderatore di questa riunione.",
		"Sunteți moderator al acestei întâlniri."),
	[I18N_SYS_MUTED] = T("Your microphone is muted.", "Ihr Mikrofon ist stummgeschaltet.",
		"Il tuo microfono è disattivato.", "Microfonul dumneavoastră este oprit."),
	[I18N_SYS_UNMUTED] = T("Your microphone is on.", "Ihr Mikrofon ist an.",
		"Il tuo microfono è attivo.", "Microfonul dumneavoastră este pornit."),
	[I18N_SYS_PTT_ON] = T(
		"Push-to-talk on: press F5 to talk; each press or key repeat keeps the "
		"microphone open for one more second.",
		"Push-to-talk an: F5 drücken zum Sprechen; jeder Druck oder jede "
		"Tastenwiederholung hält das Mikrofon eine weitere Sekunde offen.",
		"Push-to-talk attivo: premi F5 per parlare; ogni pressione o ripetizione del "
		"tasto tiene il microfono aperto un altro secondo.",
		"Push-to-talk pornit: apăsați F5 ca să vorbiți; fiecare apăsare sau repetare a "
		"tastei ține microfonul deschis încă o secundă."),
	[I18N_SYS_PTT_OFF] = T(
		"Push-to-talk off; your microphone stays muted (/unmute to talk).",
		"Push-to-talk aus; Ihr Mikrofon bleibt stumm (/unmute zum Sprechen).",
		"Push-to-talk disattivato; il microfono resta disattivato (/unmute per parlare).",
		"Push-to-talk oprit; microfonul rămâne oprit (/unmute ca să vorbiți)."),
	[I18N_SYS_VIDEO_SHOWING] = T("Video: showing {1}.", "Video: {1} wird gezeigt.",
		"Video: si vede {1}.", "Video: se afișează {1}."),
	[I18N_SYS_VIDEO_STOPPED] = T("Video stopped: {1}.", "Video beendet: {1}.",
		"Video interrotto: {1}.", "Video oprit: {1}."),
	[I18N_SYS_VIDEO_OFF] = T("Video off: nothing is received (/video on to resume).",
		"Video aus: nichts wird empfangen (/video on zum Fortsetzen).",
		"Video disattivato: non si riceve nulla (/video on per riprendere).",
		"Video oprit: nu se primește nimic (/video on pentru a relua)."),
	[I18N_SYS_VIDEO_ON] = T("Video on.", "Video an.", "Video attivo.", "Video pornit."),
	[I18N_SYS_VIDEO_NO_SUCH] = T("Nobody called {1} sends video.",
		"Niemand namens {1} sendet Video.", "Nessuno di nome {1} invia video.",
		"Nimeni cu numele {1} nu trimite video."),
	[I18N_SYS_VIDEO_UNAVAILABLE] = T("Video is not available in this meeting (--no-video).",
		"Video ist in diesem Meeting nicht verfügbar (--no-video).",
		"Il video non è disponibile in questa riunione (--no-video).",
		"Video nu este disponibil în această întâlnire (--no-video)."),
	[I18N_SYS_VIDEO_SIZE] = T("Video size: {1} (F7 or Alt-V: normal, large, full window).",
		"Videogröße: {1} (F7 oder Alt-V: normal, groß, ganzes Fenster).",
		"Dimensione del video: {1} (F7 o Alt-V: normale, grande, finestra intera).",
		"Mărimea video: {1} (F7 sau Alt-V: normală, mare, toată fereastra)."),
	[I18N_SYS_VIDEO_IS_OFF] = T("Video is off (/video on to resume).",
		"Video ist aus (/video on zum Fortsetzen).",
		"Il video è disattivato (/video on per riprendere).",
		"Video este oprit (/video on pentru a relua)."),
	[I18N_SYS_VIDEO_NOBODY] = T("Nobody is sending video.", "Niemand sendet Video.",
		"Nessuno sta inviando video.", "Nimeni nu trimite video."),
	[I18N_SYS_VIDEO_ONLY_ONE] = T("{1} is the only one sending video.",
		"{1} ist die einzige Person, die Video sendet.", "{1} è l'unica persona che invia video.",
		"{1} este singura persoană care trimite video."),
	[I18N_SYS_VIDEO_NOBODY_ELSE] = T("Only one person is sending video.",
		"Nur eine Person sendet Video.", "Solo una persona sta inviando video.",
		"Doar o persoană trimite video."),
	[I18N_SYS_BELL_ON] = T("Bell when a message mentions you: on.",
		"Glocke, wenn eine Nachricht Sie erwähnt: an.",
		"Campanello quando un messaggio ti menziona: attivo.",
		"Sonerie când un mesaj vă menționează: pornită."),
	[I18N_SYS_BELL_OFF] = T("Bell when a message mentions you: off.",
		"Glocke, wenn eine Nachricht Sie erwähnt: aus.",
		"Campanello quando un messaggio ti menziona: disattivo.",
		"Sonerie când un mesaj vă menționează: oprită."),
	[I18N_SYS_DEVICES_HEAD] = T("Sound devices (input/output channels):",
		"Audiogeräte (Ein-/Ausgangskanäle):",
		"Dispositivi audio (canali di ingresso/uscita):",
		"Dispozitive audio (canale de intrare/ieșire):"),
	[I18N_SYS_DEVICES_NONE] = T("No sound devices found.", "Keine Audiogeräte gefunden.",
		"Nessun dispositivo audio trovato.", "Nu s-a găsit niciun dispozitiv audio."),
	[I18N_SYS_DEVICES_ERR] = T("Cannot list sound devices: {1}",
		"Audiogeräte können nicht aufgelistet werden: {1}",
		"Impossibile elencare i dispositivi audio: {1}",
		"Dispozitivele audio nu pot fi listate: {1}"),
	[I18N_SYS_DEVICE_NONE] = T("No sound devices found: cannot switch to \"{1}\".",
		"Keine Audiogeräte gefunden: Wechsel zu „{1}“ nicht möglich.",
		"Nessun dispositivo audio trovato: impossibile passare a «{1}».",
		"Nu s-a găsit niciun dispozitiv audio: nu se poate trece la „{1}”."),
	[I18N_SYS_DEVICE_NO_MATCH] = T("No sound device matches \"{1}\"; /devices lists them.",
		"Kein Audiogerät passt zu „{1}“; /devices listet sie auf.",
		"Nessun dispositivo audio corrisponde a «{1}»; /devices li elenca.",
		"Niciun dispozitiv audio nu corespunde cu „{1}”; /devices le listează."),
	[I18N_SYS_DEVICE_NO_INPUT] = T("No input device matches \"{1}\"; /devices lists them.",
		"Kein Eingabegerät passt zu „{1}“; /devices listet sie auf.",
		"Nessun dispositivo di ingresso corrisponde a «{1}»; /devices li elenca.",
		"Niciun dispozitiv de intrare nu corespunde cu „{1}”; /devices le listează."),
	[I18N_SYS_DEVICE_NO_OUTPUT] = T("No output device matches \"{1}\"; /devices lists them.",
		"Kein Ausgabegerät passt zu „{1}“; /devices listet sie auf.",
		"Nessun dispositivo di uscita corrisponde a «{1}»; /devices li elenca.",
		"Niciun dispozitiv de ieșire nu corespunde cu „{1}”; /devices le listează."),
	[I18N_SYS_DEVICE_IN_OK] = T("Microphone: {1}.", "Mikrofon: {1}.", "Microfono: {1}.",
		"Microfon: {1}."),
	[I18N_SYS_DEVICE_OUT_OK] = T("Speaker: {1}.", "Lautsprecher: {1}.", "Altoparlante: {1}.",
		"Difuzor: {1}."),
	[I18N_SYS_DEVICE_IN_FAILED] = T("Microphone not switched: {1}",
		"Mikrofon nicht gewechselt: {1}",
		"Microfono non cambiato: {1}",
		"Microfonul nu a fost schimbat: {1}"),
	[I18N_SYS_DEVICE_OUT_FAILED] = T("Speaker not switched: {1}",
		"Lautsprecher nicht gewechselt: {1}",
		"Altoparlante non cambiato: {1}",
		"Difuzorul nu a fost schimbat: {1}"),
	[I18N_SYS_UNKNOWN_CMD] = T("Unknown command {1}; /help lists them.",
		"Unbekannter Befehl {1}; /help listet alle auf.",
		"Comando sconosciuto {1}; /help li elenca.",
		"Comandă necunoscută {1}; /help le listează."),
	[I18N_SYS_USAGE] = T("Usage: {1}", "Aufruf: {1}", "Uso: {1}", "Utilizare: {1}"),
	[I18N_SYS_NO_SUCH_PERSON] = T("Nobody called {1} is in the room.",
		"Niemand namens {1} ist im Raum.",
		"Nessuno di nome {1} è nella stanza.",
		"Nimeni cu numele {1} nu este în cameră."),
	[I18N_SYS_CHAT_QUEUED] = T(
		"Chat is not connected yet: your message waits and is sent once it is.",
		"Der Chat ist noch nicht verbunden: Ihre Nachricht wartet und wird dann gesendet.",
		"La chat non è ancora connessa: il messaggio attende e verrà inviato appena "
		"possibile.",
		"Chatul nu este încă conectat: mesajul așteaptă și va fi trimis imediat ce se "
		"conectează."),
	[I18N_SYS_CHAT_TOO_LONG] = T("Message not sent: longer than {1} bytes.",
		"Nachricht nicht gesendet: länger als {1} Bytes.",
		"Messaggio non inviato: più lungo di {1} byte.",
		"Mesaj netrimis: mai lung de {1} octeți."),
	[I18N_SYS_CHAT_FAILED] = T("Message not sent ({1}).", "Nachricht nicht gesendet ({1}).",
		"Messaggio non inviato ({1}).", "Mesaj netrimis ({1})."),
	[I18N_SYS_RECONNECTING] = T("Lost contact with the server; reconnecting…",
		"Keine Verbindung mehr zum Server; verbinde neu…",
		"Contatto con il server perso; riconnessione in corso…",
		"Legătura cu serverul s-a pierdut; reconectare…"),
	[I18N_SYS_ERROR] = T("Error: {1}", "Fehler: {1}", "Errore: {1}", "Eroare: {1}"),
	[I18N_SYS_AUDIO_OK] = T("Audio connected.", "Ton verbunden.", "Audio connesso.",
		"Sunet conectat."),
	[I18N_SYS_CHAT_OK] = T("Chat connected.", "Chat verbunden.", "Chat connessa.",
		"Chat conectat."),
	[I18N_SYS_MEDIA_FAILED] = T("{1} failed: {2}", "{1} fehlgeschlagen: {2}",
		"{1} non riuscito: {2}", "{1} a eșuat: {2}"),
	[I18N_SYS_PIN_NEEDED] = T("Room {1} needs a pin: type it below, Enter joins, Esc leaves.",
		"Raum {1} braucht eine PIN: unten eingeben, Enter tritt bei, Esc verlässt.",
		"La stanza {1} richiede un PIN: scrivilo qui sotto, Invio entra, Esc esce.",
		"Camera {1} cere un PIN: scrie-l mai jos, Enter intră, Esc iese."),
	[I18N_SYS_PIN_WRONG] = T("Room {1} refused the pin: type it again, Enter joins, Esc leaves.",
		"Raum {1} hat die PIN abgelehnt: neu eingeben, Enter tritt bei, Esc verlässt.",
		"La stanza {1} ha rifiutato il PIN: riscrivilo, Invio entra, Esc esce.",
		"Camera {1} a refuzat PIN-ul: scrie-l din nou, Enter intră, Esc iese."),
	[I18N_INPUT_PIN_PROMPT] = T("pin for room {1}: ", "PIN für Raum {1}: ",
		"PIN per la stanza {1}: ", "PIN pentru camera {1}: "),
	[I18N_FORM_TITLE] = T("Join a meeting", "An einem Meeting teilnehmen",
		"Partecipa a una riunione", "Intră într-o întâlnire"),
	[I18N_FORM_NOT_SAVED] = T("Nothing typed here is saved anywhere.",
		"Nichts, was hier eingegeben wird, wird irgendwo gespeichert.",
		"Nulla di ciò che scrivi qui viene salvato.",
		"Nimic din ce scrieți aici nu este salvat."),
	[I18N_FORM_URL] = T("Meeting link or server URL (ws://HOST:PORT/):",
		"Link zum Meeting oder Server-URL (ws://HOST:PORT/):",
		"Link della riunione o URL del server (ws://HOST:PORTA/):",
		"Linkul întâlnirii sau URL-ul serverului (ws://HOST:PORT/):"),
	[I18N_FORM_ROOM] = T("Room number:", "Raumnummer:", "Numero della stanza:",
		"Numărul camerei:"),
	[I18N_FORM_NAME] = T("Display name:", "Anzeigename:", "Nome visualizzato:",
		"Nume afișat:"),
	[I18N_FORM_PIN] = T("Pin (only if the room has one):", "PIN (nur wenn der Raum eine hat):",
		"PIN (solo se la stanza ne ha uno):", "PIN (doar dacă camera are unul):"),
	[I18N_FORM_KEYS] = T("Tab/Down next field, Up back, Enter join, Esc quit",
		"Tab/Runter nächstes Feld, Hoch zurück, Enter teilnehmen, Esc beenden",
		"Tab/Giù campo successivo, Su indietro, Invio entra, Esc esce",
		"Tab/Jos câmpul următor, Sus înapoi, Enter intră, Esc ieșire"),
	[I18N_SYS_LEAVING] = T("Leaving the meeting…", "Verlasse das Meeting…",
		"Uscita dalla riunione…", "Părăsire întâlnire…"),

	/* ---- help screen ---- */
	[I18N_HELP_TITLE] = T("Keys and commands", "Tasten und Befehle", "Tasti e comandi",
		"Taste și comenzi"),
	[I18N_HELP_MUTE] = T("/mute, /unmute: mute or unmute your microphone",
		"/mute, /unmute: Mikrofon stumm- oder einschalten",
		"/mute, /unmute: disattiva o attiva il microfono",
		"/mute, /unmute: oprește sau pornește microfonul"),
	[I18N_HELP_TOGGLE] = T("F4 or Alt-M: toggle mute, also while typing",
		"F4 oder Alt-M: Stummschaltung umschalten, auch beim Tippen",
		"F4 o Alt-M: attiva/disattiva il microfono, anche mentre scrivi",
		"F4 sau Alt-M: comută microfonul, și în timp ce scrieți"),
	[I18N_HELP_PTT] = T(
		"/ptt: push-to-talk on/off; F5 opens the microphone for 1 s, each press or key "
		"repeat extends it (terminals report no key release)",
		"/ptt: Push-to-talk an/aus; F5 öffnet das Mikrofon für 1 s, jeder Druck oder "
		"jede Tastenwiederholung verlängert (Terminals melden kein Loslassen)",
		"/ptt: push-to-talk sì/no; F5 apre il microfono per 1 s, ogni pressione o "
		"ripetizione lo prolunga (i terminali non segnalano il rilascio dei tasti)",
		"/ptt: push-to-talk pornit/oprit; F5 deschide microfonul pentru 1 s, fiecare "
		"apăsare sau repetare prelungește (terminalele nu semnalează eliberarea tastelor)"),
	[I18N_HELP_MSG] = T(
		"/msg NAME TEXT: private message (quote a name with spaces: /msg \"Ana M\" hi)",
		"/msg NAME TEXT: private Nachricht (Namen mit Leerzeichen in Anführungszeichen: "
		"/msg \"Ana M\" hallo)",
		"/msg NOME TESTO: messaggio privato (nomi con spazi tra virgolette: "
		"/msg \"Ana M\" ciao)",
		"/msg NUME TEXT: mesaj privat (numele cu spații între ghilimele: "
		"/msg \"Ana M\" salut)"),
	[I18N_HELP_DEVICES] = T(
		"/devices: list sound devices; /device NAME: switch microphone and speaker to a "
		"device (/device in NAME, /device out NAME: one of them)",
		"/devices: Audiogeräte auflisten; /device NAME: Mikrofon und Lautsprecher auf ein "
		"Gerät wechseln (/device in NAME, /device out NAME: nur eines davon)",
		"/devices: elenca i dispositivi audio; /device NOME: passa microfono e "
		"altoparlante a un dispositivo (/device in NOME, /device out NOME: solo uno dei due)",
		"/devices: listează dispozitivele audio; /device NUME: trece microfonul și "
		"difuzorul pe un dispozitiv (/device in NUME, /device out NUME: doar unul dintre ele)"),
	[I18N_HELP_BELL] = T(
		"/bell: terminal bell when a message mentions your name (off by default)",
		"/bell: Terminalglocke, wenn eine Nachricht Ihren Namen erwähnt "
		"(standardmäßig aus)",
		"/bell: campanello del terminale quando un messaggio menziona il tuo nome "
		"(disattivo di default)",
		"/bell: sonerie când un mesaj vă menționează numele (implicit oprită)"),
	[I18N_HELP_VIDEO] = T(
		"/video off, /video on: stop or resume receiving video; F6 or /video next: the next "
		"person's video; /video NAME: that person's",
		"/video off, /video on: Videoempfang beenden oder fortsetzen; F6 oder /video next: "
		"Video der nächsten Person; /video NAME: das dieser Person",
		"/video off, /video on: interrompi o riprendi la ricezione video; F6 o /video next: "
		"il video della persona successiva; /video NOME: quello di quella persona",
		"/video off, /video on: oprește sau reia primirea video; F6 sau /video next: "
		"video-ul persoanei următoare; /video NUME: al acelei persoane"),
	[I18N_HELP_VIDEO_SIZE] = T(
		"F7 or Alt-V: video size normal, large, full window, normal again; /video normal, "
		"/video large, /video full: that size (/video off gives the room to the chat)",
		"F7 oder Alt-V: Videogröße normal, groß, ganzes Fenster, wieder normal; /video "
		"normal, /video large, /video full: diese Größe (/video off gibt den Platz dem Chat)",
		"F7 o Alt-V: dimensione del video normale, grande, finestra intera, di nuovo "
		"normale; /video normal, /video large, /video full: quella dimensione (/video off "
		"lascia lo spazio alla chat)",
		"F7 sau Alt-V: mărimea video normală, mare, toată fereastra, din nou normală; "
		"/video normal, /video large, /video full: acea mărime (/video off lasă locul "
		"chatului)"),
	[I18N_HELP_PRIVACY] = T("F2 or /privacy: the privacy notice",
		"F2 oder /privacy: der Datenschutzhinweis",
		"F2 o /privacy: l'informativa sulla privacy",
		"F2 sau /privacy: nota de confidențialitate"),
	[I18N_HELP_HELP] = T("F1 or /help: this help", "F1 oder /help: diese Hilfe",
		"F1 o /help: questo aiuto", "F1 sau /help: acest ajutor"),
	[I18N_HELP_QUIT] = T("/quit or Ctrl-C: leave the meeting",
		"/quit oder Strg-C: Meeting verlassen",
		"/quit o Ctrl-C: esci dalla riunione",
		"/quit sau Ctrl-C: părăsiți întâlnirea"),
	[I18N_HELP_SCROLL] = T("PgUp/PgDn: scroll the chat; Up/Down: lines you typed before",
		"PgUp/PgDn: im Chat blättern; Auf/Ab: frühere Eingaben",
		"PgUp/PgDn: scorri la chat; Su/Giù: righe scritte prima",
		"PgUp/PgDn: derulează chatul; Sus/Jos: rândurile scrise anterior"),
	[I18N_HELP_EDIT] = T(
		"Left/Right, Home/End, Ctrl-A/E: move; Ctrl-U/K: delete to start/end; Ctrl-W: "
		"delete a word; Tab: complete a name (again: the next one); Ctrl-L: redraw",
		"Links/Rechts, Pos1/Ende, Strg-A/E: bewegen; Strg-U/K: bis Anfang/Ende löschen; "
		"Strg-W: Wort löschen; Tab: Namen ergänzen (nochmals: den nächsten); Strg-L: neu "
		"zeichnen",
		"Sinistra/Destra, Home/Fine, Ctrl-A/E: sposta; Ctrl-U/K: cancella fino "
		"all'inizio/alla fine; Ctrl-W: cancella una parola; Tab: completa un nome "
		"(di nuovo: il successivo); "
		"Ctrl-L: ridisegna",
		"Stânga/Dreapta, Home/End, Ctrl-A/E: mutare; Ctrl-U/K: șterge până la "
		"început/sfârșit; Ctrl-W: șterge un cuvânt; Tab: completează un nume "
		"(din nou: următorul); "
		"Ctrl-L: redesenare"),
	[I18N_HELP_SLASH] = T("Lines not starting with / go to the room; //text sends /text.",
		"Zeilen, die nicht mit / beginnen, gehen an den Raum; //Text sendet /Text.",
		"Le righe che non iniziano con / vanno alla stanza; //testo invia /testo.",
		"Rândurile care nu încep cu / merg în cameră; //text trimite /text."),
	[I18N_HELP_LEGEND] = T(
		"People: {1} talking, {2} muted, {3} (chat) only in the chat, not in the call; "
		"(you) is you",
		"Personen: {1} spricht, {2} stumm, {3} (Chat) nur im Chat, nicht im Gespräch; "
		"(Sie) sind Sie",
		"Persone: {1} parla, {2} muto, {3} (chat) solo nella chat, non nella chiamata; "
		"(tu) sei tu",
		"Participanți: {1} vorbește, {2} fără microfon, {3} (chat) doar în chat, nu și în "
		"apel; (dvs.) sunteți dumneavoastră"),
	[I18N_HELP_CLOSE] = T("Esc, q or F1: close", "Esc, q oder F1: schließen",
		"Esc, q o F1: chiudi", "Esc, q sau F1: închide"),

	/* ---- habits of terminal chats ---- */
	[I18N_CHAT_SCROLLED] = T("scrolled back — PgDn", "zurückgeblättert — PgDn",
		"chat scorsa indietro — PgDn", "derulat înapoi — PgDn"),
	[I18N_CHAT_MARKER] = T("new", "neu", "nuovi", "noi"),
	[I18N_SYS_NAMES] = T("{1} in the room: {2}", "{1} im Raum: {2}",
		"{1} nella stanza: {2}", "{1} în cameră: {2}"),
	[I18N_SYS_LASTLOG_HEAD] = T("Lines with \"{1}\" ({2}):",
		"Zeilen mit „{1}“ ({2}):",
		"Righe con «{1}» ({2}):",
		"Rânduri cu „{1}” ({2}):"),
	[I18N_SYS_LASTLOG_NONE] = T("No line contains \"{1}\".",
		"Keine Zeile enthält „{1}“.",
		"Nessuna riga contiene «{1}».",
		"Niciun rând nu conține „{1}”."),
	[I18N_SYS_AMBIGUOUS] = T("{1} is more than one person: say which ({2}).",
		"{1} sind mehrere Personen: Sagen Sie, welche ({2}).",
		"{1} è più di una persona: di' quale ({2}).",
		"{1} sunt mai multe persoane: spuneți care ({2})."),
	[I18N_HELP_CHAT] = T(
		"/me ACTION: say what you do (\"* you waves\"); /names or /who: who is here; "
		"/clear: empty the chat pane (this screen only); /lastlog TEXT: the lines with TEXT; "
		"/nick NAME: rename yourself",
		"/me AKTION: sagen, was Sie tun („* Sie winkt“); /names oder /who: wer da ist; "
		"/clear: Chatbereich leeren (nur dieser Bildschirm); /lastlog TEXT: die Zeilen mit "
		"TEXT; /nick NAME: sich umbenennen",
		"/me AZIONE: di' cosa fai («* tu saluta»); /names o /who: chi c'è; "
		"/clear: svuota la chat (solo questo schermo); /lastlog TESTO: le righe con TESTO; "
		"/nick NOME: rinominati",
		"/me ACȚIUNE: spuneți ce faceți („* dvs. salută”); /names sau /who: cine este "
		"aici; /clear: golește chatul (doar acest ecran); /lastlog TEXT: rândurile cu TEXT; "
		"/nick NUME: vă redenumiți"),
	[I18N_HELP_SUSPEND] = T(
		"Ctrl-Z: suspend (fg resumes; while stopped you neither hear nor send anything)",
		"Strg-Z: anhalten (fg setzt fort; solange angehalten, hören und senden Sie nichts)",
		"Ctrl-Z: sospendi (fg riprende; mentre è sospeso non senti e non invii nulla)",
		"Ctrl-Z: suspendă (fg reia; cât timp este oprit nu auziți și nu trimiteți nimic)"),
	[I18N_SYS_NICK_UNSUPPORTED] = T(
		"This server cannot rename you: leave and join again with -n NAME.",
		"Dieser Server kann Sie nicht umbenennen: verlassen Sie das Meeting und treten Sie "
		"mit -n NAME wieder bei.",
		"Questo server non può rinominarti: esci e rientra con -n NOME.",
		"Acest server nu vă poate redenumi: ieșiți și intrați din nou cu -n NUME."),
	[I18N_SYS_NICK_NEEDS] = T("/nick needs a name: /nick NAME",
		"/nick braucht einen Namen: /nick NAME",
		"/nick vuole un nome: /nick NOME",
		"/nick are nevoie de un nume: /nick NUME"),
	[I18N_SYS_NICK_BAD] = T(
		"A name must be printable text on one line, without control or invisible characters, "
		"spaces at either end or two in a row.",
		"Ein Name muss druckbarer Text in einer Zeile sein, ohne Steuer- oder unsichtbare "
		"Zeichen, ohne Leerzeichen am Anfang oder Ende und nie zwei hintereinander.",
		"Un nome deve essere testo stampabile su una riga, senza caratteri di controllo o "
		"invisibili, senza spazi all'inizio o alla fine né due di seguito.",
		"Un nume trebuie să fie text tipăribil pe un rând, fără caractere de control sau "
		"invizibile, fără spații la capete și fără două spații la rând."),
	[I18N_SYS_NICK_LONG] = T("That name is too long: at most {1} bytes.",
		"Dieser Name ist zu lang: höchstens {1} Bytes.",
		"Questo nome è troppo lungo: al massimo {1} byte.",
		"Numele este prea lung: cel mult {1} octeți."),
	[I18N_SYS_NICK_SAME] = T("You are already called {1}.",
		"Sie heißen bereits {1}.",
		"Ti chiami già {1}.",
		"Vă numiți deja {1}."),
	[I18N_SYS_NICK_BUSY] = T("Your last rename is still on its way: try again in a moment.",
		"Ihre letzte Umbenennung ist noch unterwegs: versuchen Sie es gleich noch einmal.",
		"La tua ultima rinomina è ancora in corso: riprova tra un momento.",
		"Ultima redenumire este încă în curs: încercați din nou peste o clipă."),
	[I18N_SYS_NICK_NOTCONN] = T("You can rename yourself once you are in the meeting.",
		"Sie können sich umbenennen, sobald Sie im Meeting sind.",
		"Puoi rinominarti quando sei nella riunione.",
		"Vă puteți redenumi după ce intrați în întâlnire."),
	[I18N_SYS_NICK_OTHER] = T("{1} is now known as {2}.",
		"{1} heißt jetzt {2}.",
		"{1} ora si chiama {2}.",
		"{1} se numește acum {2}."),
	[I18N_SYS_NICK_SELF] = T("You are now known as {1}.",
		"Sie heißen jetzt {1}.",
		"Ora ti chiami {1}.",
		"Acum vă numiți {1}."),
	[I18N_ST_GAVE_UP] = T("meeting lost: r retry, q quit",
		"Meeting verloren: r neu versuchen, q beenden",
		"riunione persa: r riprova, q esci",
		"întâlnire pierdută: r reîncercați, q ieșiți"),
	[I18N_SYS_RECONNECTED] = T("Back in the meeting (the server was away for {1} s).",
		"Wieder im Meeting (der Server war {1} s weg).",
		"Di nuovo nella riunione (il server è mancato per {1} s).",
		"Din nou în întâlnire (serverul a lipsit {1} s)."),
	[I18N_SYS_GAVE_UP] = T("The meeting is lost: no contact with the server for {1} s. "
		"Press r to try again or q to quit.",
		"Das Meeting ist verloren: {1} s keine Verbindung zum Server. r versucht es neu, "
		"q beendet.",
		"La riunione è persa: nessun contatto con il server per {1} s. Premi r per "
		"riprovare o q per uscire.",
		"Întâlnirea s-a pierdut: nicio legătură cu serverul timp de {1} s. Apăsați r ca "
		"să reîncercați sau q ca să ieșiți."),
	[I18N_SYS_RETRYING] = T("Trying again…", "Neuer Versuch…", "Nuovo tentativo…",
		"Reîncercare…"),
	[I18N_STALE] = T("stale", "veraltet", "non aggiornato", "neactualizat"),
	[I18N_VIDEO_FROZEN] = T("frozen", "eingefroren", "bloccato", "înghețat"),
	[I18N_ST_JOINED_NO_AUDIO] = T("joined, no audio", "beigetreten, kein Ton",
		"entrato, senza audio", "intrat, fără sunet"),
	[I18N_ST_WAIT_FOCUS] = T("waiting for the server to set up the meeting",
		"warte, bis der Server das Meeting einrichtet",
		"in attesa che il server prepari la riunione",
		"se așteaptă ca serverul să pregătească întâlnirea"),
	[I18N_ST_WAIT_HOST] = T("not started: waiting for a moderator",
		"nicht begonnen: warte auf einen Moderator",
		"non iniziata: in attesa di un moderatore",
		"neîncepută: se așteaptă un moderator"),
	[I18N_ST_WAIT_LIVE] = T("not started yet: waiting", "noch nicht begonnen: warte",
		"non ancora iniziata: in attesa", "încă neîncepută: se așteaptă"),
	[I18N_ST_WAIT_LOBBY] = T("in the lobby: waiting to be let in",
		"im Warteraum: warte auf Einlass",
		"nella sala d'attesa: in attesa di essere ammesso",
		"în sala de așteptare: se așteaptă primirea"),
};

static const char *const lang_codes[I18N_LANG_COUNT] = { "en", "de", "it", "ro" };

const char *i18n_lang_code(enum i18n_lang lang)
{
	return (unsigned)lang < I18N_LANG_COUNT ? lang_codes[lang] : "en";
}

const char *i18n_raw(enum i18n_lang lang, enum i18n_msg msg)
{
	if ((unsigned)msg >= I18N_MSG_COUNT || (unsigned)lang >= I18N_LANG_COUNT)
		return NULL;
	return catalog[msg].s[lang];
}

const char *i18n_get(enum i18n_lang lang, enum i18n_msg msg)
{
	if ((unsigned)msg >= I18N_MSG_COUNT)
		return "";
	if ((unsigned)lang >= I18N_LANG_COUNT)
		lang = I18N_EN;
	const char *s = catalog[msg].s[lang];
	if (!s || !*s)
		s = catalog[msg].s[I18N_EN];
	return s ? s : "";
}

static bool empty(const char *s)
{
	return !s || !*s;
}

/* "C", "POSIX" and "C.<codeset>" select untranslated messages. */
static bool is_c_locale(const char *loc)
{
	return !strcmp(loc, "C") || !strcmp(loc, "POSIX") || !strncmp(loc, "C.", 2);
}

/* The language of one locale name or LANGUAGE item ("de", "de_AT.UTF-8@euro"), or -1. */
static int match_lang(const char *name, size_t len)
{
	size_t n = 0;
	while (n < len && name[n] != '_' && name[n] != '.' && name[n] != '@' && name[n] != '-')
		n++;
	for (int i = 0; i < I18N_LANG_COUNT; i++)
		if (n == 2 && !strncasecmp(name, lang_codes[i], 2))
			return i;
	return -1;
}

enum i18n_lang i18n_lang_pick(const char *language, const char *lc_all, const char *lc_messages,
			      const char *lang)
{
	const char *loc = !empty(lc_all) ? lc_all : !empty(lc_messages) ? lc_messages : lang;
	if (empty(loc) || is_c_locale(loc))
		return I18N_EN;
	for (const char *p = language; !empty(p);) {
		const char *end = strchr(p, ':');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		int l = match_lang(p, len);
		if (l >= 0)
			return (enum i18n_lang)l;
		p = end ? end + 1 : NULL;
	}
	int l = match_lang(loc, strlen(loc));
	return l >= 0 ? (enum i18n_lang)l : I18N_EN;
}

enum i18n_lang i18n_lang_from_env(void)
{
	return i18n_lang_pick(getenv("LANGUAGE"), getenv("LC_ALL"), getenv("LC_MESSAGES"),
			      getenv("LANG"));
}

/* Appends n bytes of s if they fit; otherwise as many whole UTF-8 characters as fit. */
static size_t append(char *out, size_t outlen, size_t o, const char *s, size_t n)
{
	if (o + 1 >= outlen)
		return o;
	size_t room = outlen - 1 - o;
	if (n > room) {
		n = room;
		while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
			n--;
	}
	memcpy(out + o, s, n);
	return o + n;
}

size_t i18n_format(char *out, size_t outlen, const char *tmpl, const char *const *args,
		   int nargs)
{
	size_t o = 0;
	if (outlen == 0)
		return 0;
	for (const char *p = tmpl; *p;) {
		if (p[0] == '{' && p[1] == '{') {
			o = append(out, outlen, o, "{", 1);
			p += 2;
		} else if (p[0] == '{' && p[1] >= '1' && p[1] <= '9' && p[2] == '}') {
			int i = p[1] - '1';
			if (i < nargs && args[i])
				o = append(out, outlen, o, args[i], strlen(args[i]));
			p += 3;
		} else {
			const char *q = p + 1;
			while (*q && *q != '{')
				q++;
			o = append(out, outlen, o, p, (size_t)(q - p));
			p = q;
		}
	}
	out[o] = '\0';
	return o;
}

size_t i18n_fmt(char *out, size_t outlen, enum i18n_lang lang, enum i18n_msg msg,
		const char *a1, const char *a2, const char *a3)
{
	const char *args[3] = { a1, a2, a3 };
	int n = !a1 ? 0 : !a2 ? 1 : !a3 ? 2 : 3;
	return i18n_format(out, outlen, i18n_get(lang, msg), args, n);
}

static bool names_utf8(const char *loc)
{
	return loc && (strcasestr(loc, "utf-8") || strcasestr(loc, "utf8"));
}

bool i18n_setup_ctype(void)
{
	if (!setlocale(LC_CTYPE, "")) {
		const char *loc = getenv("LC_ALL");
		if (empty(loc))
			loc = getenv("LC_CTYPE");
		if (empty(loc))
			loc = getenv("LANG");
		if (!names_utf8(loc) || !setlocale(LC_CTYPE, "C.UTF-8"))
			setlocale(LC_CTYPE, "C");
	}
	const char *cs = nl_langinfo(CODESET);
	return cs && (!strcasecmp(cs, "UTF-8") || !strcasecmp(cs, "utf8"));
}
