package dev.pledge.itests.jee;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** The entity both persistence units of {@link TwoDatabases} store. */
@Entity
@Table(name = "jee_note")
public class Note {
    @Id
    private long id;
    @Column(nullable = false)
    private String text;

    protected Note() {
    }

    public Note(long id, String text) {
        this.id = id;
        this.text = text;
    }
}
